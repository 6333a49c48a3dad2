package io.packetparamedic.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.packetparamedic.e2e.harness.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in README.md and docs/ points at a file or directory that exists, and a
 * {@code #fragment} into a Markdown file names one of its headings (GitHub's anchor rules).
 */
class DocLinksTest {

    /** [text](target) and ![alt](target); the target ends at whitespace or the closing parenthesis. */
    private static final Pattern INLINE =
            Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    /** [label]: target */
    private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+.*)?$");

    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    record Link(Path file, int line, String target) {
        @Override
        public String toString() {
            return Repo.root().relativize(file) + ":" + line + " -> " + target;
        }
    }

    static List<Path> documents() {
        List<Path> docs = new ArrayList<>();
        docs.add(Repo.path("README.md"));
        docs.addAll(Repo.files(Repo.path("docs"), ".*\\.md"));
        return docs;
    }

    static List<Link> links(Path file) {
        List<Link> links = new ArrayList<>();
        String[] lines = Repo.read(file).split("\n", -1);
        boolean fenced = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.strip().startsWith("```") || line.strip().startsWith("~~~")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                continue;
            }
            // Inline code spans are not links.
            String text = line.replaceAll("`[^`]*`", "");
            Matcher inline = INLINE.matcher(text);
            while (inline.find()) {
                links.add(new Link(file, i + 1, inline.group(1)));
            }
            Matcher reference = REFERENCE.matcher(text);
            if (reference.matches()) {
                links.add(new Link(file, i + 1, reference.group(1)));
            }
        }
        return links;
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -N for repeats. */
    static Set<String> anchors(Path markdown) {
        Set<String> anchors = new HashSet<>();
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        boolean fenced = false;
        for (String line : Repo.read(markdown).split("\n", -1)) {
            if (line.strip().startsWith("```") || line.strip().startsWith("~~~")) {
                fenced = !fenced;
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (fenced || !heading.matches()) {
                continue;
            }
            String slug = heading.group(1)
                    .replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1") // a link in a heading anchors by its text
                    .toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{N}\\s_-]", "")
                    .replace(' ', '-');
            int n = seen.merge(slug, 1, Integer::sum);
            anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
        }
        return anchors;
    }

    @Test
    void documentationExists() {
        assertThat(documents()).as("README.md and docs/*.md").hasSizeGreaterThan(5);
    }

    @Test
    void everyRelativeLinkResolves() {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path doc : documents()) {
            for (Link link : links(doc)) {
                String target = link.target();
                if (SCHEME.matcher(target).find() || target.startsWith("//")) {
                    continue; // absolute URLs (https:, mailto:) are not checked offline
                }
                checked++;
                String pathPart = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                String fragment = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
                Path resolved = pathPart.isEmpty()
                        ? doc
                        : (pathPart.startsWith("/")
                                        ? Repo.root().resolve(pathPart.substring(1))
                                        : doc.getParent().resolve(pathPart))
                                .normalize();
                if (!resolved.startsWith(Repo.root())) {
                    broken.add(link + " (leaves the repository)");
                } else if (!Files.exists(resolved)) {
                    broken.add(link + " (no such file)");
                } else if (fragment != null
                        && !fragment.isEmpty()
                        && resolved.toString().endsWith(".md")
                        && !anchors(resolved).contains(fragment)) {
                    broken.add(link + " (no heading #" + fragment + " in "
                            + Repo.root().relativize(resolved) + ")");
                }
            }
        }
        assertThat(broken)
                .as("broken links (%d relative links checked)", checked)
                .isEmpty();
        assertThat(checked).as("relative links checked").isGreaterThan(10);
    }

    @Test
    void linkExtractionSeesInlineReferenceAndImageLinksButNotCode(@org.junit.jupiter.api.io.TempDir Path dir) {
        Path doc = dir.resolve("x.md");
        Repo.write(
                doc,
                String.join(
                        "\n",
                        "# Title: *One*",
                        "See [a](a.md#title-one) and ![img](pic.png \"t\").",
                        "`[no](code.md)`",
                        "```",
                        "[no](fenced.md)",
                        "```",
                        "[ref]: ../b.md",
                        "## Title: One"));
        assertThat(links(doc)).extracting(Link::target).containsExactly("a.md#title-one", "pic.png", "../b.md");
        assertThat(anchors(doc)).containsExactlyInAnyOrder("title-one", "title-one-1");
        assertThat(Stream.of("https://x", "mailto:y", "#z")
                        .filter(t -> SCHEME.matcher(t).find()))
                .hasSize(2);
    }
}
