package repairls.coverage;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.runner.Description;
import org.junit.runner.JUnitCore;
import org.junit.runner.notification.Failure;
import org.junit.runner.notification.RunListener;

/**
 * Runs JUnit 4 test classes like JUnitCore does, recording the lines each test executed (through the probes the
 * agent added) in a report file (system property repairls.coverage.out). The report is written test by test, so
 * a run stopped by its timeout still leaves the tests that finished:
 *
 *   test TAB failed(0|1) TAB Class.method
 *   line TAB package/path/File.java TAB line     (the lines of the test above)
 */
public final class CoverageRunner {
    private CoverageRunner() {}

    public static void main(String[] args) throws IOException {
        String out = System.getProperty("repairls.coverage.out");
        List<Class<?>> classes = new ArrayList<>();
        for (String name : args) {
            try {
                classes.add(Class.forName(name, false, CoverageRunner.class.getClassLoader()));
            } catch (ClassNotFoundException | LinkageError e) {
                System.out.println("repair-ls coverage: cannot load " + name + ": " + e);
            }
        }
        try (Writer writer = new OutputStreamWriter(new FileOutputStream(out), StandardCharsets.UTF_8)) {
            JUnitCore core = new JUnitCore();
            core.addListener(new Recorder(writer));
            core.run(classes.toArray(new Class<?>[0]));
        }
        // Tests may leave non-daemon threads behind; the report is complete, so the run ends here.
        System.exit(0);
    }

    private static String clean(String text) {
        return text == null ? "" : text.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }

    /** Clears the probes before each test and writes the lines it hit after it. */
    private static final class Recorder extends RunListener {
        private final Writer writer;
        private boolean failed;

        Recorder(Writer writer) {
            this.writer = writer;
        }

        @Override
        public void testStarted(Description description) {
            failed = false;
            LineProbes.reset();
        }

        @Override
        public void testFailure(Failure failure) {
            failed = true;
        }

        @Override
        public void testAssumptionFailure(Failure failure) {
            failed = false;
        }

        @Override
        public void testFinished(Description description) throws IOException {
            String name = clean(description.getClassName()) + "." + clean(description.getMethodName());
            StringBuilder text = new StringBuilder();
            text.append("test\t").append(failed ? 1 : 0).append('\t').append(name).append('\n');
            for (String line : LineProbes.hitLines()) text.append("line\t").append(line).append('\n');
            writer.write(text.toString());
            writer.flush();
        }
    }
}
