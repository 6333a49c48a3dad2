package io.packetparamedic.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.packetparamedic.e2e.harness.Exec;
import io.packetparamedic.e2e.harness.Repo;
import io.packetparamedic.packaging.ContainerfileTest.Instruction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The images {@code e2e/hack/images.sh} builds without a container engine or a registry, checked
 * against what describes them: the reflector image against {@code reflector/Containerfile} (user,
 * working directory, entrypoint, ports, packages, the directories its RUN lines make, the jar its
 * COPY adds), the operator image against the chart's Deployment and the operator's
 * {@code quarkus.jib.*} settings, the pause image against what a pod sandbox must do. Each image
 * is unpacked from its OCI archive, and its programs run in its root filesystem as its user,
 * with a read-only root where the pod has one. The archives also go through a real containerd
 * ({@code images.sh import-check}): imported, unpacked, and each run once by runc.
 *
 * <p>Needs root (mmdebstrap, chroot, mounts in a private mount namespace) and
 * {@code images.sh provision} ({@code test-all.sh} runs it). Cold, the two Debian base layers
 * take a few minutes; warm, the build is a no-op and the test takes well under a minute.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalImagesTest {

    static final Duration BUILD_TIMEOUT = Duration.ofMinutes(20);
    static final String PREFIX = "localhost/packetparamedic/";
    static final ObjectMapper JSON = new ObjectMapper();

    Map<String, Path> archives = new HashMap<>();
    Path work;

    /** An unpacked image: its index, manifest and config, and its layers applied in order. */
    record Image(String name, JsonNode index, JsonNode manifest, JsonNode config, Path rootfs) {
        JsonNode cfg() {
            return config.path("config");
        }

        List<String> env() {
            return strings(cfg().path("Env"));
        }
    }

    @BeforeAll
    void build() throws IOException {
        assertThat(new com.sun.security.auth.module.UnixSystem().getUid())
                .as("the image build runs mmdebstrap and chroot: run the tests as root, as .ci/run does")
                .isZero();
        Exec.Result built = Tools.run(
                Repo.root(),
                null,
                Map.of(),
                List.of("bash", Repo.path("e2e/hack/images.sh").toString(), "build"),
                BUILD_TIMEOUT);
        assertThat(built.exitCode())
                .as("images.sh build (run `bash e2e/hack/images.sh provision` first)\n%s", built)
                .isZero();
        for (String line : built.stdout().strip().split("\n")) {
            String[] parts = line.split(" ", 2);
            archives.put(parts[0], Path.of(parts[1]));
        }
        assertThat(archives).containsOnlyKeys("reflector", "operator", "pause");
        work = Repo.path("packaging-tests/target/local-images");
        removeTree(work);
        Files.createDirectories(work);
    }

    @AfterAll
    void clean() {
        if (work != null) {
            removeTree(work);
        }
    }

    @Test
    void reflectorImageIsWhatTheContainerfileDescribes() throws Exception {
        List<Instruction> cf = ContainerfileTest.parse(Repo.read(Repo.path("reflector/Containerfile")));
        Image image = unpack("reflector");
        JsonNode c = image.cfg();

        String user = last(cf, "USER");
        assertThat(c.path("User").asText()).isEqualTo(user);
        assertThat(c.path("WorkingDir").asText()).isEqualTo(last(cf, "WORKDIR"));
        assertThat(strings(c.path("Entrypoint"))).isEqualTo(strings(JSON.readTree(last(cf, "ENTRYPOINT"))));
        assertThat(strings(c.path("Cmd"))).isEqualTo(strings(JSON.readTree(last(cf, "CMD"))));
        assertThat(fieldNames(c.path("ExposedPorts"))).isEqualTo(exposedPorts(cf));
        assertThat(image.env()).anyMatch(e -> e.startsWith("PATH=/"));
        for (Instruction env : of(cf, "ENV")) {
            assertThat(image.env()).contains(env.arguments().replaceFirst("^(\\S+)\\s+", "$1="));
        }

        // The packages of `apt-get install`, installed (dpkg's own record).
        String aptRun = of(cf, "RUN").stream()
                .map(Instruction::arguments)
                .filter(r -> r.contains("apt-get install"))
                .findFirst()
                .orElseThrow();
        List<String> packages = new ArrayList<>();
        for (String word : aptRun.replaceFirst("(?s).*apt-get install", "")
                .replaceFirst("(?s)&&.*", "")
                .split("\\s+")) {
            if (word.matches("[a-z0-9][a-z0-9.+-]+")) {
                packages.add(word);
            }
        }
        assertThat(packages).contains("openjdk-17-jre-headless", "iperf3");
        Map<String, String> installed = dpkgStatus(image.rootfs());
        for (String p : packages) {
            assertThat(installed.get(p)).as("dpkg status of %s", p).isEqualTo("install ok installed");
        }
        assertThat(aptRun).contains("rm -rf /var/lib/apt/lists/*");
        assertThat(listing(image.rootfs().resolve("var/lib/apt/lists"))).isEmpty();

        // The user and group, and every `install -d -o U -g G -m MODE dirs` of the RUN lines.
        String uid = user.split(":")[0];
        String gid = user.contains(":") ? user.split(":")[1] : uid;
        Map<String, String[]> passwd = table(image.rootfs().resolve("etc/passwd"));
        Map<String, String[]> group = table(image.rootfs().resolve("etc/group"));
        String[] account = passwd.values().stream()
                .filter(a -> a[2].equals(uid))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no passwd entry for UID " + uid));
        assertThat(account[3]).isEqualTo(gid);
        assertThat(account[6]).isEqualTo("/usr/sbin/nologin");
        assertThat(group.values()).anyMatch(g -> g[2].equals(gid));
        Pattern install = Pattern.compile("install -d -o (\\S+) -g (\\S+) -m ([0-7]+)((?: /[^\\s&]+)+)");
        int dirs = 0;
        for (Instruction run : of(cf, "RUN")) {
            Matcher m = install.matcher(run.arguments());
            while (m.find()) {
                for (String dir : m.group(4).strip().split("\\s+")) {
                    Path p = image.rootfs().resolve(dir.substring(1));
                    assertThat(p).as(dir).isDirectory();
                    assertThat(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                            .as("owner of %s", dir)
                            .isEqualTo(Integer.parseInt(passwd.get(m.group(1))[2]));
                    assertThat(Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS))
                            .as("group of %s", dir)
                            .isEqualTo(Integer.parseInt(group.get(m.group(2))[2]));
                    assertThat(mode(p)).as("mode of %s", dir).isEqualTo(Integer.parseInt(m.group(3), 8));
                    dirs++;
                }
            }
        }
        assertThat(dirs).as("directories the Containerfile makes").isGreaterThanOrEqualTo(3);

        // The COPY: the very jar this build made, owned by root, not writable by the user.
        String[] copy = of(cf, "COPY").get(0).arguments().split("\\s+");
        Path jar = image.rootfs().resolve(copy[1].substring(1));
        assertThat(sha256(jar)).isEqualTo(sha256(Repo.path("reflector/" + copy[0])));
        assertThat(Files.getAttribute(jar, "unix:uid")).isEqualTo(0);
        assertThat(mode(jar)).isEqualTo(0644);

        // The entrypoint's program and iperf3 resolve on the image's PATH.
        String path = image.env().stream()
                .filter(e -> e.startsWith("PATH="))
                .findFirst()
                .orElseThrow()
                .substring(5);
        assertThat(which(image.rootfs(), path, strings(c.path("Entrypoint")).get(0)))
                .isNotNull();
        assertThat(which(image.rootfs(), path, "iperf3")).isNotNull();

        // Run as the image's user in its root filesystem: read-only, with the writable directories
        // the operator's pods mount (emptyDir /tmp and the state directory).
        List<String> writable = List.of("/tmp", last(cf, "WORKDIR"));
        Exec.Result iperf =
                runInImage(image, writable, List.of("iperf3", "--version")).orThrow();
        assertThat(iperf.stdout()).startsWith("iperf 3.");
        // The reflector starts iperf3 through util-linux's setpriv, so that iperf3 dies with it
        // (engine/ChildProcesses; without setpriv it falls back to plain children): it must be there.
        assertThat(Repo.read(
                        Repo.path("reflector/src/main/java/io/packetparamedic/reflector/engine/ChildProcesses.java")))
                .contains("onPath(\"setpriv\")", "\"--pdeathsig\", \"KILL\"");
        assertThat(which(image.rootfs(), path, "setpriv")).isNotNull();
        assertThat(runInImage(image, writable, List.of("setpriv", "--pdeathsig", "KILL", "--", "iperf3", "--version"))
                        .orThrow()
                        .stdout())
                .startsWith("iperf 3.");
        Exec.Result java =
                runInImage(image, writable, List.of("java", "-version")).orThrow();
        assertThat(java.stderr()).contains("version \"17.");
        List<String> version = new ArrayList<>(strings(c.path("Entrypoint")));
        version.add("--version");
        Exec.Result reflector = runInImage(image, writable, version).orThrow();
        assertThat(reflector.stdout() + reflector.stderr()).containsIgnoringCase("reflector");
        Exec.Result id = runInImage(image, writable, List.of("id", "-u")).orThrow();
        assertThat(id.stdout().strip()).isEqualTo(uid);
    }

    @Test
    void operatorImageIsWhatTheChartsDeploymentRuns() throws Exception {
        JsonNode pod = Packaging.helmTemplate("pp-system")
                .one("Deployment", "packetparamedic-packetparamedic-operator")
                .path("spec")
                .path("template")
                .path("spec");
        JsonNode container = pod.path("containers").get(0);
        Properties jib = new Properties();
        try (var in = Files.newInputStream(Repo.path("operator/src/main/resources/application.properties"))) {
            jib.load(in);
        }
        Image image = unpack("operator");
        JsonNode c = image.cfg();

        // runAsNonRoot without a runAsUser: the kubelet takes the image's user and refuses it unless
        // it is a numeric, non-zero UID.
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("securityContext").has("runAsUser")).isFalse();
        assertThat(container.path("securityContext").has("runAsUser")).isFalse();
        String user = c.path("User").asText();
        assertThat(user).isEqualTo(jib.getProperty("quarkus.jib.user")).matches("[1-9][0-9]*:[0-9]+");
        String uid = user.split(":")[0];
        assertThat(table(image.rootfs().resolve("etc/passwd")).values()).anyMatch(a -> a[2].equals(uid));

        String workdir = jib.getProperty("quarkus.jib.working-directory");
        assertThat(c.path("WorkingDir").asText()).isEqualTo(workdir);
        List<String> entrypoint = new ArrayList<>(List.of("java"));
        for (String arg : jib.getProperty("quarkus.jib.jvm-arguments").split(",")) {
            entrypoint.add(arg.strip());
        }
        entrypoint.addAll(List.of("-jar", workdir + "/quarkus-run.jar"));
        assertThat(strings(c.path("Entrypoint"))).isEqualTo(entrypoint);
        assertThat(c.path("Cmd").isMissingNode()
                        || c.path("Cmd").isNull()
                        || c.path("Cmd").isEmpty())
                .isTrue();

        Set<String> ports = fieldNames(c.path("ExposedPorts"));
        for (JsonNode port : container.path("ports")) {
            assertThat(ports)
                    .contains(port.path("containerPort").asInt() + "/"
                            + port.path("protocol").asText("TCP").toLowerCase());
        }
        Set<String> jibPorts = new TreeSet<>();
        for (String p : jib.getProperty("quarkus.jib.ports").split(",")) {
            jibPorts.add(p.strip() + "/tcp");
        }
        assertThat(ports).isEqualTo(jibPorts);

        // quarkus-app, file for file, owned by root and not writable by the operator's user.
        Path app = Repo.path("operator/target/quarkus-app");
        Path inImage = image.rootfs().resolve(workdir.substring(1));
        int files = 0;
        try (Stream<Path> walk = Files.walk(app)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                Path copied = inImage.resolve(app.relativize(f).toString());
                assertThat(copied)
                        .as(app.relativize(f).toString())
                        .isRegularFile()
                        .hasSize(Files.size(f));
                assertThat(Files.getAttribute(copied, "unix:uid")).isEqualTo(0);
                assertThat(mode(copied) & 0022).isZero();
                files++;
            }
        }
        assertThat(files).isGreaterThan(10);
        assertThat(sha256(inImage.resolve("quarkus-run.jar"))).isEqualTo(sha256(app.resolve("quarkus-run.jar")));

        // The reflector's Java runtime, installed.
        assertThat(dpkgStatus(image.rootfs()).get("openjdk-17-jre-headless")).isEqualTo("install ok installed");

        // The JVM with the image's options, as its user, on a read-only root with only the pod's
        // volume mounts writable.
        assertThat(container
                        .path("securityContext")
                        .path("readOnlyRootFilesystem")
                        .asBoolean())
                .isTrue();
        List<String> writable = new ArrayList<>();
        for (JsonNode mount : container.path("volumeMounts")) {
            writable.add(mount.path("mountPath").asText());
        }
        assertThat(writable).contains("/tmp");
        List<String> jvm = new ArrayList<>(entrypoint.subList(0, entrypoint.size() - 2));
        jvm.add("-version");
        assertThat(runInImage(image, writable, jvm).orThrow().stderr()).contains("version \"17.");
        // Its temporary files go to /tmp, the chart's emptyDir.
        Exec.Result settings = runInImage(image, writable, List.of("java", "-XshowSettings:properties", "-version"))
                .orThrow();
        assertThat(settings.stderr()).contains("java.io.tmpdir = /tmp");
    }

    @Test
    void pauseImageIsAStaticSandboxThatExitsOnSigterm() throws Exception {
        Image image = unpack("pause");
        JsonNode c = image.cfg();
        assertThat(strings(c.path("Entrypoint"))).containsExactly("/pause");
        assertThat(c.path("User").asText()).isEqualTo("65535:65535");
        assertThat(image.manifest().path("layers")).hasSize(1);
        Path pause = image.rootfs().resolve("pause");
        assertThat(Files.isExecutable(pause)).isTrue();
        // Static: the root filesystem holds nothing else to load it with.
        try (Stream<Path> all = Files.list(image.rootfs())) {
            assertThat(all.map(p -> p.getFileName().toString()).toList()).containsExactly("pause");
        }
        // No shell or env in this image: chroot runs the binary itself.
        assertThat(Tools.run(
                                Repo.root(),
                                null,
                                Map.of(),
                                List.of(
                                        "chroot",
                                        "--userspec=65535:65535",
                                        image.rootfs().toString(),
                                        "/pause",
                                        "-v"))
                        .orThrow()
                        .stdout())
                .contains("pause");

        // PID 1 of its own PID namespace, as in a pod sandbox: SIGTERM ends it with status 0.
        Process p = new ProcessBuilder(
                        "unshare",
                        "--pid",
                        "--fork",
                        "--kill-child",
                        "chroot",
                        "--userspec=65535:65535",
                        image.rootfs().toString(),
                        "/pause")
                .redirectErrorStream(true)
                .start();
        try {
            ProcessHandle child = null;
            for (int i = 0; i < 100 && child == null; i++) {
                child = p.toHandle().children().findFirst().orElse(null);
                if (child == null) {
                    Thread.sleep(50);
                }
            }
            assertThat(child).as("pause started").isNotNull();
            Thread.sleep(200);
            assertThat(p.isAlive()).as("pause waits").isTrue();
            assertThat(child.destroy()).isTrue(); // SIGTERM
            assertThat(p.waitFor(5, TimeUnit.SECONDS))
                    .as("pause exited on SIGTERM")
                    .isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void archivesImportAndRunInARealContainerd() {
        Exec.Result r = Tools.run(
                Repo.root(),
                null,
                Map.of(),
                List.of("bash", Repo.path("e2e/hack/images.sh").toString(), "import-check"),
                Duration.ofMinutes(5));
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.stderr()).contains("import-check OK");
        for (String name : archives.keySet()) {
            assertThat(r.stderr()).contains(PREFIX + name + ":dev");
        }
        // Run by runc: the reflector's entrypoint, its user and directory, the operator's JVM and the
        // operator itself up to its controllers, pause.
        assertThat(r.stderr())
                .contains("reflector container: reflector ")
                .contains("reflector container: uid:gid 10001:10001, cwd /var/lib/reflector, iperf 3.")
                .contains("operator container: openjdk version \"17.")
                .contains("operator container: Quarkus started its controllers on a read-only root")
                .contains("pause container: ran until SIGTERM, exit status 0");
    }

    // ------------------------------------------------------------------------------------------

    Image unpack(String name) throws IOException {
        Path dir = work.resolve(name);
        Path layout = dir.resolve("layout");
        Path rootfs = dir.resolve("rootfs");
        Files.createDirectories(layout);
        Files.createDirectories(rootfs);
        tar(List.of("-xf", archives.get(name).toString(), "-C", layout.toString()));
        assertThat(JSON.readTree(layout.resolve("oci-layout").toFile())
                        .path("imageLayoutVersion")
                        .asText())
                .isEqualTo("1.0.0");
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        assertThat(index.path("manifests")).hasSize(1);
        JsonNode entry = index.path("manifests").get(0);
        assertThat(entry.path("annotations")
                        .path("org.opencontainers.image.ref.name")
                        .asText())
                .isEqualTo("dev");
        assertThat(entry.path("annotations").path("io.containerd.image.name").asText())
                .isEqualTo(PREFIX + name + ":dev");
        JsonNode manifest = JSON.readTree(blob(layout, entry.path("digest").asText()));
        JsonNode config = JSON.readTree(
                blob(layout, manifest.path("config").path("digest").asText()));
        assertThat(config.path("os").asText()).isEqualTo("linux");
        assertThat(config.path("architecture").asText()).isEqualTo("amd64");
        assertThat(config.path("rootfs").path("diff_ids")).hasSameSizeAs(manifest.path("layers"));
        for (JsonNode layer : manifest.path("layers")) {
            assertThat(layer.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
            Path blob = layout.resolve("blobs/sha256")
                    .resolve(layer.path("digest").asText().substring("sha256:".length()));
            tar(List.of("-xzf", blob.toString(), "-C", rootfs.toString(), "--numeric-owner", "--same-permissions"));
        }
        return new Image(name, index, manifest, config, rootfs);
    }

    /** A blob, checked against its digest. */
    static byte[] blob(Path layout, String digest) throws IOException {
        byte[] bytes = Files.readAllBytes(layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length())));
        assertThat("sha256:" + HexFormat.of().formatHex(sha256(bytes))).isEqualTo(digest);
        return bytes;
    }

    static void tar(List<String> args) {
        List<String> command = new ArrayList<>(List.of("tar"));
        command.addAll(args);
        Tools.run(Repo.root(), null, Map.of(), command, Duration.ofMinutes(5)).orThrow();
    }

    /**
     * Runs a command in the image's root filesystem as its user, with its environment, in its
     * working directory: in a private mount namespace (nothing outlives the command) with /proc
     * and /dev, the root read-only and {@code writable} as empty tmpfs, as the pod would have.
     */
    static Exec.Result runInImage(Image image, List<String> writable, List<String> command) {
        String script = String.join(
                "\n",
                "set -e",
                "root=$1 user=$2 wd=$3 nenv=$4 nrw=$5; shift 5",
                "envs=(\"${@:1:$nenv}\"); shift \"$nenv\"",
                "rws=(\"${@:1:$nrw}\"); shift \"$nrw\"",
                "mount --bind \"$root\" \"$root\"",
                "mount -t proc proc \"$root/proc\"",
                "mount --rbind /dev \"$root/dev\"",
                "mount -o remount,bind,ro \"$root\"",
                "for d in \"${rws[@]}\"; do mount -t tmpfs -o mode=1777,size=64m tmpfs \"$root$d\"; done",
                "exec chroot --userspec=\"$user\" \"$root\" /usr/bin/env -i \"${envs[@]}\" /bin/sh -c 'cd \"$0\" && exec \"$@\"' \"$wd\" \"$@\"");
        List<String> cmd = new ArrayList<>(List.of(
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "--fork",
                "--",
                "bash",
                "-c",
                script,
                "bash",
                image.rootfs().toString(),
                image.cfg().path("User").asText(),
                image.cfg().path("WorkingDir").asText("/")));
        List<String> env = image.env();
        cmd.add(Integer.toString(env.size()));
        cmd.add(Integer.toString(writable.size()));
        cmd.addAll(env);
        cmd.addAll(writable);
        cmd.addAll(command);
        return Tools.run(Repo.root(), null, Map.of(), cmd, Duration.ofMinutes(2));
    }

    static String last(List<Instruction> cf, String keyword) {
        List<Instruction> all = of(cf, keyword);
        assertThat(all).as("%s in the Containerfile", keyword).isNotEmpty();
        return all.get(all.size() - 1).arguments();
    }

    static List<Instruction> of(List<Instruction> cf, String keyword) {
        return cf.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    /** EXPOSE ports as an image config records them: ranges expanded, protocol tcp unless given. */
    static Set<String> exposedPorts(List<Instruction> cf) {
        Set<String> out = new TreeSet<>();
        for (Instruction expose : of(cf, "EXPOSE")) {
            for (String spec : expose.arguments().split("\\s+")) {
                String[] portProto = spec.split("/");
                String proto = portProto.length > 1 ? portProto[1] : "tcp";
                String[] range = portProto[0].split("-");
                int from = Integer.parseInt(range[0]);
                int to = Integer.parseInt(range[range.length - 1]);
                for (int port = from; port <= to; port++) {
                    out.add(port + "/" + proto);
                }
            }
        }
        return out;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static Set<String> fieldNames(JsonNode object) {
        Set<String> out = new TreeSet<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Package name to Status from var/lib/dpkg/status. */
    static Map<String, String> dpkgStatus(Path rootfs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String stanza : Repo.read(rootfs.resolve("var/lib/dpkg/status")).split("\n\n")) {
            String pkg = null;
            String status = null;
            for (String line : stanza.split("\n")) {
                if (line.startsWith("Package: ")) {
                    pkg = line.substring(9).strip();
                } else if (line.startsWith("Status: ")) {
                    status = line.substring(8).strip();
                }
            }
            if (pkg != null) {
                out.put(pkg, status);
            }
        }
        return out;
    }

    /** /etc/passwd or /etc/group: name to fields. */
    static Map<String, String[]> table(Path file) {
        Map<String, String[]> out = new LinkedHashMap<>();
        for (String line : Repo.read(file).split("\n")) {
            if (!line.isBlank()) {
                String[] fields = line.split(":", -1);
                out.put(fields[0], fields);
            }
        }
        return out;
    }

    /** The file a command name resolves to on PATH inside rootfs, symbolic links followed inside it. */
    static Path which(Path rootfs, String path, String command) throws IOException {
        for (String dir : path.split(":")) {
            Path resolved = resolveInRoot(rootfs, dir + "/" + command, 0);
            if (resolved != null
                    && Files.isRegularFile(resolved, LinkOption.NOFOLLOW_LINKS)
                    && Files.isExecutable(resolved)) {
                return resolved;
            }
        }
        return null;
    }

    static Path resolveInRoot(Path rootfs, String absolute, int depth) throws IOException {
        if (depth > 40) {
            return null;
        }
        Path current = rootfs;
        String[] parts = absolute.replaceAll("^/+", "").split("/");
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty() || parts[i].equals(".")) {
                continue;
            }
            Path next = current.resolve(parts[i]);
            if (Files.isSymbolicLink(next)) {
                String target = Files.readSymbolicLink(next).toString();
                String rest = String.join("/", java.util.Arrays.copyOfRange(parts, i + 1, parts.length));
                String base = target.startsWith("/") ? target : "/" + rootfs.relativize(current) + "/" + target;
                return resolveInRoot(
                        rootfs,
                        java.nio.file.Paths.get(base + (rest.isEmpty() ? "" : "/" + rest))
                                .normalize()
                                .toString(),
                        depth + 1);
            }
            if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            current = next;
        }
        return current;
    }

    static List<Path> listing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    static int mode(Path p) throws IOException {
        return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
    }

    static String sha256(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** rm -rf: the unpacked root filesystems hold other users' files and read-only directories. */
    static void removeTree(Path dir) {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Tools.run(
                            Repo.root(),
                            null,
                            Map.of(),
                            List.of("rm", "-rf", "--one-file-system", dir.toString()),
                            Duration.ofMinutes(2))
                    .orThrow();
        }
        assertThat(Files.exists(dir, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }
}
