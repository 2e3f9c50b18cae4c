package repairls.junit;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.internal.TextListener;
import org.junit.internal.builders.AllDefaultPossibilitiesBuilder;
import org.junit.internal.builders.JUnit4Builder;
import org.junit.runner.Description;
import org.junit.runner.Request;
import org.junit.runner.Result;
import org.junit.runner.Runner;
import org.junit.runner.notification.Failure;
import org.junit.runner.notification.RunListener;
import org.junit.runner.notification.RunNotifier;
import org.junit.runner.notification.StoppedByUserException;
import org.junit.runners.BlockJUnit4ClassRunner;
import org.junit.runners.model.FrameworkMethod;
import org.junit.runners.model.InitializationError;
import org.junit.runners.model.RunnerBuilder;
import org.junit.runners.model.Statement;

/**
 * The JUnit 4 runner of repair-ls, shared by cold runs (its main) and the warm server: it prints exactly what
 * JUnitCore prints (JUnitCore's own TextListener), so that one parser reads both, and adds what JUnitCore lacks: a
 * per-test deadline, stopping at the first failure, and selection of single methods in the order given.
 *
 * Arguments: [--deadline SECONDS] [--stop-first] SPEC... where a SPEC is a class name or Class#method.
 */
public final class RepairJUnitRunner {
  private RepairJUnitRunner() {}

  /** A run's settings, as parsed from its arguments. */
  public static final class Options {
    /** The deadline as the caller spelled it (it appears in the failure message); null for none. */
    String deadline;
    long deadlineMillis;
    boolean stopFirst;
    final List<String> specs = new ArrayList<>();
  }

  /** Reads the runner's arguments; unknown options are treated as test specs (as JUnitCore would). */
  public static Options parse(List<String> args) {
    Options options = new Options();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--deadline") && i + 1 < args.size()) {
        options.deadline = args.get(++i);
        try {
          options.deadlineMillis = Math.max(1, Math.round(Double.parseDouble(options.deadline) * 1000));
        } catch (NumberFormatException e) {
          options.deadline = null;
        }
      } else if (arg.equals("--stop-first")) {
        options.stopFirst = true;
      } else {
        options.specs.add(arg);
      }
    }
    return options;
  }

  /** The failure a test gets when it runs past its deadline (the message every runner of repair-ls uses). */
  public static final class DeadlineExceeded extends Exception {
    private static final long serialVersionUID = 1L;

    DeadlineExceeded(String seconds) {
      super("did not finish within " + seconds + " s");
      setStackTrace(new StackTraceElement[0]);
    }
  }

  /** Threads of tests that ran past their deadline and could not be stopped (the warm server then retires). */
  public interface HungThreads {
    void add(Thread thread);
  }

  /** Runs a test (with its befores and afters) in its own thread and fails it when it runs past the deadline. */
  static final class DeadlineStatement extends Statement {
    private final Statement inner;
    private final Options options;
    private final HungThreads hung;

    DeadlineStatement(Statement inner, Options options, HungThreads hung) {
      this.inner = inner;
      this.options = options;
      this.hung = hung;
    }

    @Override
    @SuppressWarnings({"deprecation", "removal"})
    public void evaluate() throws Throwable {
      final Throwable[] thrown = new Throwable[1];
      Thread test =
          new Thread(
              () -> {
                try {
                  inner.evaluate();
                } catch (Throwable e) {
                  thrown[0] = e;
                }
              },
              "repair-ls test");
      test.setDaemon(true);
      test.setContextClassLoader(Thread.currentThread().getContextClassLoader());
      test.start();
      test.join(options.deadlineMillis);
      if (test.isAlive()) {
        // A test that loops forever rarely checks for interruption; Thread.stop still works on JDK 17.
        test.interrupt();
        test.join(50);
        if (test.isAlive()) {
          try {
            test.stop();
          } catch (UnsupportedOperationException e) {
            // Newer JDKs cannot stop a thread: the caller learns of it below.
          }
          test.join(200);
        }
        if (test.isAlive()) hung.add(test);
        throw new DeadlineExceeded(options.deadline);
      }
      if (thrown[0] != null) throw thrown[0];
    }
  }

  /** Builds JUnitCore's runners, with the deadline around every test of plain JUnit 4 classes. */
  static final class Builder extends AllDefaultPossibilitiesBuilder {
    private final Options options;
    private final HungThreads hung;

    @SuppressWarnings("deprecation")
    Builder(Options options, HungThreads hung) {
      // JUnit 4.12 has only this constructor; JUnitCore builds its runners the same way.
      super(true);
      this.options = options;
      this.hung = hung;
    }

    @Override
    protected JUnit4Builder junit4Builder() {
      return new JUnit4Builder() {
        @Override
        public Runner runnerForClass(Class<?> testClass) throws Throwable {
          if (options.deadline == null) return new BlockJUnit4ClassRunner(testClass);
          return new BlockJUnit4ClassRunner(testClass) {
            @Override
            protected Statement methodBlock(FrameworkMethod method) {
              return new DeadlineStatement(super.methodBlock(method), options, hung);
            }
          };
        }
      };
    }
  }

  /**
   * Runs the specs with classes from `loader`, printing JUnitCore's text to `out`; returns the result. A run that
   * was stopped (first failure, a blocked exit) reports the tests that ran.
   */
  public static Result run(Options options, ClassLoader loader, PrintStream out, HungThreads hung, RunNotifier notifier) {
    out.println("JUnit version " + junit.runner.Version.id());
    Result result = new Result();
    notifier.addFirstListener(result.createListener());
    notifier.addListener(new TextListener(out));
    if (options.stopFirst) {
      notifier.addListener(
          new RunListener() {
            @Override
            public void testFailure(Failure failure) {
              notifier.pleaseStop();
            }
          });
    }
    RunnerBuilder builder = new Builder(options, hung);
    notifier.fireTestRunStarted(Description.createSuiteDescription("repair-ls"));
    try {
      for (String spec : options.specs) runnerFor(spec, loader, builder).run(notifier);
    } catch (StoppedByUserException e) {
      // The run stopped at its first failure (or at a blocked exit): the tests so far are the result.
    }
    notifier.fireTestRunFinished(result);
    out.flush();
    return result;
  }

  private static Runner runnerFor(String spec, ClassLoader loader, RunnerBuilder builder) {
    int hash = spec.indexOf('#');
    String className = hash < 0 ? spec : spec.substring(0, hash);
    Class<?> testClass;
    try {
      testClass = Class.forName(className, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      return Request.errorReport(RepairJUnitRunner.class, new InitializationError("Could not find class: " + className)).getRunner();
    }
    Runner runner = builder.safeRunnerForClass(testClass);
    if (hash < 0) return runner;
    return Request.runner(runner).filterWith(Description.createTestDescription(testClass, spec.substring(hash + 1))).getRunner();
  }

  /** A cold run: JUnitCore's output and exit code. */
  public static void main(String[] args) {
    List<Thread> hung = new ArrayList<>();
    Result result =
        run(parse(Arrays.asList(args)), RepairJUnitRunner.class.getClassLoader(), System.out, hung::add, new RunNotifier());
    System.exit(result.wasSuccessful() ? 0 : 1);
  }
}
