package io.packetparamedic.kubectl;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether stdout is a terminal, where a line may be rewritten in place. */
final class Terminal {

    private Terminal() {}

    static boolean isInteractive() {
        Console console = System.console();
        if (console == null) return false;
        // From JDK 22 System.console() is not null for redirected output either; there
        // Console.isTerminal() answers. Up to JDK 21 a console means a terminal.
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException olderJdk) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
