package io.g3k.dataplane;

import io.g3k.config.ConfigException;
import io.g3k.config.ConfigLoader;
import io.g3k.config.G3Config;
import io.g3k.dataplane.runtime.Daemon;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The g3k command line: {@code run}, {@code check}, {@code --version}. */
@Command(name = "g3k", mixinStandardHelpOptions = true, versionProvider = G3k.Version.class,
        description = "g3proxy-compatible forward/reverse proxy on Netty.",
        subcommands = {G3k.Run.class, G3k.Check.class})
public final class G3k {
    static final int CONFIG_ERROR = 2;

    public static void main(String[] args) {
        System.exit(new CommandLine(new G3k()).execute(args));
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the proxy with a g3proxy config.")
    static final class Run implements Callable<Integer> {
        private static final Logger LOG = LoggerFactory.getLogger("g3k");

        @Option(names = {"-c", "--config-file"}, required = true, description = "main.yml, or a directory holding it")
        Path config;

        @Override
        public Integer call() {
            G3Config loaded;
            try {
                loaded = ConfigLoader.load(config);
            } catch (ConfigException e) {
                System.err.println("g3k: invalid config: " + e.getMessage());
                return CONFIG_ERROR;
            }
            Daemon daemon;
            try {
                daemon = Daemon.start(loaded);
            } catch (RuntimeException e) {
                System.err.println("g3k: cannot start: " + e.getMessage());
                return 1;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            // SIGTERM: graceful (stop accepting, drain); SIGINT: quick
            Signals.on("TERM", () -> {
                LOG.info("SIGTERM: going offline, draining up to {}", loaded.runtime().taskWaitTimeout());
                daemon.shutdown(loaded.runtime().taskWaitTimeout());
                stopped.countDown();
            });
            Signals.on("INT", () -> {
                LOG.info("SIGINT: stopping");
                daemon.shutdown(java.time.Duration.ofSeconds(1));
                stopped.countDown();
            });
            Signals.on("HUP", () -> LOG.warn("SIGHUP: reload is not implemented yet; config unchanged"));
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a config and print it as g3k resolved it.")
    static final class Check implements Callable<Integer> {
        @Option(names = {"-c", "--config-file"}, required = true, description = "main.yml, or a directory holding it")
        Path config;

        @Override
        public Integer call() throws Exception {
            try {
                G3Config loaded = ConfigLoader.load(config);
                System.out.print(ResolvedConfigPrinter.print(loaded));
                loaded.warnings().forEach(w -> System.err.println("warning: " + w));
                return 0;
            } catch (ConfigException e) {
                System.err.println("g3k: invalid config: " + e.getMessage());
                return CONFIG_ERROR;
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = G3k.class.getPackage().getImplementationVersion();
            return new String[] {"g3k " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
