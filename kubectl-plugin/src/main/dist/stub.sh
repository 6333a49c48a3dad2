#!/bin/sh
# kubectl-packetparamedic: this shell stub followed by the plugin's jar, in one file. Java reads a
# jar from its end, so `java -jar` on this very file runs the plugin. JAVA_HOME (or java on PATH)
# picks the JVM, Java 17 or newer; KUBECTL_PACKETPARAMEDIC_JAVA_OPTS adds JVM flags.
if [ -n "$JAVA_HOME" ]; then java="$JAVA_HOME/bin/java"; else java=java; fi
# A short-lived CLI: the C1 compiler only and the serial collector start fastest.
# shellcheck disable=SC2086
exec "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC $KUBECTL_PACKETPARAMEDIC_JAVA_OPTS -jar "$0" "$@"
