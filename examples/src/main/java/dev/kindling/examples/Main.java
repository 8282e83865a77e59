package dev.kindling.examples;

import dev.kindling.data.DatasetNotFoundException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * One launcher for every example: {@code Main NAME [options]} runs the example called NAME
 * ({@code fashion-classifier}, {@code dcgan}, {@code wgan}, {@code finetune},
 * {@code autograd-tour}, {@code linear-regression}); {@code Main NAME --help} lists its options;
 * with no name it runs the quickstart (linear-regression) and lists the others. Started by
 * {@code examples/run.sh NAME …} or, once the jars are installed,
 * {@code mvn -q -pl examples exec:java -Dexec.args="NAME …"}.
 */
@Command(name = "kindling-examples", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Kindling's example programs. Run one by name; NAME --help lists its options.",
    subcommands = {FashionClassifier.class, Dcgan.class, Wgan.class, Finetune.class, AutogradTour.class, LinearRegression.class},
    footer = {"", "Examples:", "  examples/run.sh fashion-classifier --epochs 1",
        "  mvn -q -pl examples exec:java -Dexec.args=\"dcgan --epochs 1\""})
public final class Main implements Runnable {
  public static void main(String[] args) {
    int code = run(args);
    if (code != 0) System.exit(code);
  }

  /** Runs the command line and returns its exit code (0: success, 2: bad usage or missing data). */
  public static int run(String... args) {
    System.setProperty("java.awt.headless", "true");
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof DatasetNotFoundException || e instanceof IllegalArgumentException && e.getMessage() != null
          && e.getMessage().startsWith("--")) {
        cmd.getErr().println(e.getMessage());
        return 2;
      }
      throw e;
    });
    return cli.execute(args);
  }

  /** No example named: the quickstart, then the list. */
  @Override
  public void run() {
    new LinearRegression().call();
    System.out.println();
    System.out.println("More examples (examples/run.sh NAME --help for their options):");
    CommandLine cli = new CommandLine(new Main());
    cli.getSubcommands().forEach((name, sub) ->
        System.out.printf("  %-20s %s%n", name, String.join(" ", sub.getCommandSpec().usageMessage().description())));
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"Kindling examples, Kindling " + dev.kindling.Kindling.version()};
    }
  }
}
