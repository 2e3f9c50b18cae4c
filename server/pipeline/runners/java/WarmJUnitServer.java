package repairls.junit;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.Permission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.runner.Result;
import org.junit.runner.notification.RunNotifier;

/**
 * The warm JUnit 4 worker of repair-ls (the UniAPR approach): one JVM per scratch copy that keeps javac and JUnit
 * loaded. Per run it compiles only the source files that differ from its baseline build, in-process, into a fresh
 * folder, and runs the tests in a fresh class loader (the candidate's classes, then the baseline's; JUnit from the
 * parent), so that static state never crosses candidates. Its output is RepairJUnitRunner's, i.e. JUnitCore's.
 *
 * Protocol (one JSON object a line): it sends {"ready": true, "pid": n}; a request is {"id", "cwd", "args",
 * "stdout", "stderr"}, where args are --classpath CP, --source FILE (repeated, relative to cwd), then
 * RepairJUnitRunner's arguments. Builds go to the folder named by the system property repairls.work. The reply is
 * {"id", "exit": code}, with "retire": true when a thread of the candidate could not be stopped (the JVM then
 * exits, and the caller starts a new one), or {"id", "error"} when the server failed (the caller runs cold).
 */
public final class WarmJUnitServer {
  private WarmJUnitServer() {}

  /** Lines of a source file that declare something other classes compile against (signatures, constants). */
  private static final Pattern DECLARATION =
      Pattern.compile("\\b(public|protected|private|static|final|abstract|class|interface|enum|record|native|synchronized|extends|implements|package|import)\\b|@");

  /** Most bytes of a run's output kept (the caller keeps less). */
  private static final int MAX_OUTPUT = 16 * 1024 * 1024;

  private static PrintStream protocol;
  private static final ExitTrap TRAP = new ExitTrap();

  /** The last full build: the sources' texts and the folder of their classes. */
  private static final class Baseline {
    final Path root;
    final Map<String, String> texts;
    final Path classes;

    Baseline(Path root, Map<String, String> texts, Path classes) {
      this.root = root;
      this.texts = texts;
      this.classes = classes;
    }
  }

  private static Baseline baseline;
  /** One file manager for every compilation: it keeps the JDK's own classes read once. */
  private static StandardJavaFileManager fileManager;
  private static int builds;

  /** Output kept in memory up to a cut-off, so that what follows a blocked exit can be dropped. */
  static final class Capture extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      if (bytes.size() < MAX_OUTPUT) bytes.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, Math.max(0, Math.min(len, MAX_OUTPUT - bytes.size())));
    }

    synchronized int size() {
      return bytes.size();
    }
  }

  /**
   * Blocks System.exit and Runtime.halt while a candidate runs: the first one ends the run as if the process had
   * exited there (its code, and only the output written before it), as a cold run would end. Nothing else is checked.
   */
  @SuppressWarnings("removal")
  static final class ExitTrap extends SecurityManager {
    volatile boolean armed;
    volatile Integer status;
    volatile int outCut;
    volatile int errCut;
    volatile Capture out;
    volatile Capture err;
    volatile RunNotifier notifier;

    @Override
    public void checkPermission(Permission permission) {}

    @Override
    public void checkPermission(Permission permission, Object context) {}

    @Override
    public void checkExit(int code) {
      if (!armed) return;
      synchronized (this) {
        if (status == null) {
          status = code;
          outCut = out.size();
          errCut = err.size();
          notifier.pleaseStop();
        }
      }
      throw new SecurityException("repair-ls: exit(" + code + ") ends the run");
    }
  }

  private static void send(String json) {
    protocol.println(json);
    protocol.flush();
  }

  @SuppressWarnings("removal")
  public static void main(String[] args) throws IOException {
    protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setSecurityManager(TRAP);
    if (ToolProvider.getSystemJavaCompiler() == null) {
      System.err.println("repair-ls: this Java runtime has no compiler (a JDK is needed)");
      System.exit(2);
    }
    send("{\"ready\": true, \"pid\": " + ProcessHandle.current().pid() + "}");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isBlank()) continue;
      Map<?, ?> request = (Map<?, ?>) new Json(line).value();
      String id = String.valueOf(request.get("id"));
      boolean retire;
      int exit;
      try {
        Outcome outcome = handle(request);
        exit = outcome.exit;
        retire = outcome.retire;
      } catch (Throwable e) {
        // A broken request or a failure of the server itself: the caller runs this candidate cold.
        send("{\"id\": " + Json.quote(id) + ", \"error\": " + Json.quote(String.valueOf(e)) + "}");
        continue;
      }
      send("{\"id\": " + Json.quote(id) + ", \"exit\": " + exit + (retire ? ", \"retire\": true" : "") + "}");
      if (retire) Runtime.getRuntime().halt(0);
    }
  }

  private static final class Outcome {
    final int exit;
    final boolean retire;

    Outcome(int exit, boolean retire) {
      this.exit = exit;
      this.retire = retire;
    }
  }

  private static Outcome handle(Map<?, ?> request) throws Exception {
    Path root = Paths.get((String) request.get("cwd")).toRealPath();
    Path stdoutFile = Paths.get((String) request.get("stdout"));
    Path stderrFile = Paths.get((String) request.get("stderr"));
    List<String> sources = new ArrayList<>();
    List<String> runnerArgs = new ArrayList<>();
    String classpath = "";
    Path work = Paths.get(System.getProperty("repairls.work"));
    List<?> args = (List<?>) request.get("args");
    for (int i = 0; i < args.size(); i++) {
      String arg = (String) args.get(i);
      if (arg.equals("--classpath") && i + 1 < args.size()) classpath = (String) args.get(++i);
      else if (arg.equals("--source") && i + 1 < args.size()) sources.add((String) args.get(++i));
      else runnerArgs.add(arg);
    }
    Files.createDirectories(work);

    Capture out = new Capture();
    Capture err = new Capture();
    Map<String, String> texts = new LinkedHashMap<>();
    for (String source : sources) texts.put(source, Files.readString(root.resolve(source), StandardCharsets.UTF_8));

    Path candidate = null;
    List<Path> classFolders = new ArrayList<>();
    try {
      if (baseline == null || !baseline.root.equals(root) || !baseline.texts.keySet().equals(texts.keySet())) {
        // The first run (or a changed file list) builds everything; a successful build is the new baseline.
        Path classes = work.resolve("base-" + builds++);
        String errors = compile(root, sources, classes, classpath);
        if (errors != null) {
          deleteTree(classes);
          return compileError(errors, out, err, stdoutFile, stderrFile);
        }
        if (baseline != null) deleteTree(baseline.classes);
        baseline = new Baseline(root, texts, classes);
        classFolders.add(classes);
      } else {
        List<String> changed = new ArrayList<>();
        boolean structural = false;
        for (Map.Entry<String, String> entry : texts.entrySet()) {
          String before = baseline.texts.get(entry.getKey());
          if (before.equals(entry.getValue())) continue;
          changed.add(entry.getKey());
          structural |= changesDeclarations(before, entry.getValue());
        }
        if (!changed.isEmpty()) {
          // A changed declaration (a signature, a constant other classes inline) needs every class rebuilt, as
          // the cold build does, and the full build becomes the baseline (so that the next candidates, which
          // differ from it inside bodies only, build incrementally again); a change inside bodies needs only its
          // own files, in front of the baseline's classes.
          Path into = work.resolve((structural ? "base-" : "candidate-") + builds++);
          String errors =
              structural
                  ? compile(root, sources, into, classpath)
                  : compile(root, changed, into, baseline.classes + File.pathSeparator + classpath);
          if (errors != null) {
            deleteTree(into);
            return compileError(errors, out, err, stdoutFile, stderrFile);
          }
          if (structural) {
            deleteTree(baseline.classes);
            baseline = new Baseline(root, texts, into);
          } else {
            candidate = into;
          }
          classFolders.add(into);
        }
        if (!structural) classFolders.add(baseline.classes);
      }
      return runTests(classFolders, runnerArgs, out, err, stdoutFile, stderrFile);
    } finally {
      if (candidate != null) deleteTree(candidate);
    }
  }

  /** Whether an edit touches a line that declares something (rather than only the insides of bodies). */
  static boolean changesDeclarations(String before, String after) {
    Map<String, Integer> counts = new HashMap<>();
    for (String line : before.split("\n", -1)) counts.merge(line.strip(), 1, Integer::sum);
    for (String line : after.split("\n", -1)) counts.merge(line.strip(), -1, Integer::sum);
    for (Map.Entry<String, Integer> entry : counts.entrySet()) {
      if (entry.getValue() != 0 && DECLARATION.matcher(entry.getKey()).find()) return true;
    }
    return false;
  }

  /** Compiles the files into a fresh folder; returns javac's messages when they do not compile, null otherwise. */
  private static String compile(Path root, List<String> files, Path into, String classpath) throws IOException {
    deleteTree(into);
    Files.createDirectories(into);
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    if (fileManager == null) fileManager = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8);
    StringWriter messages = new StringWriter();
    List<File> sources = new ArrayList<>();
    for (String file : files) sources.add(root.resolve(file).toFile());
    Iterable<? extends JavaFileObject> units = fileManager.getJavaFileObjectsFromFiles(sources);
    List<String> options =
        Arrays.asList("-nowarn", "-encoding", "UTF-8", "-implicit:none", "-d", into.toString(), "-cp", classpath);
    boolean ok = compiler.getTask(messages, fileManager, null, options, null, units).call();
    return ok ? null : messages.toString();
  }

  private static Outcome compileError(String messages, Capture out, Capture err, Path stdoutFile, Path stderrFile)
      throws IOException {
    err.write(messages.getBytes(StandardCharsets.UTF_8));
    Files.write(stdoutFile, out.bytes.toByteArray());
    Files.write(stderrFile, err.bytes.toByteArray());
    return new Outcome(1, false);
  }

  /** Runs the tests in a fresh class loader, with the run's own System.out/err and exits blocked. */
  private static Outcome runTests(
      List<Path> classFolders, List<String> runnerArgs, Capture out, Capture err, Path stdoutFile, Path stderrFile)
      throws IOException {
    URL[] urls = new URL[classFolders.size()];
    for (int i = 0; i < urls.length; i++) urls[i] = classFolders.get(i).toUri().toURL();
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    Properties properties = (Properties) System.getProperties().clone();
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    PrintStream runOut = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream runErr = new PrintStream(err, true, StandardCharsets.UTF_8);
    List<Thread> hung = new ArrayList<>();
    RunNotifier notifier = new RunNotifier();
    Thread self = Thread.currentThread();
    ClassLoader savedContext = self.getContextClassLoader();
    Result result;
    Integer status = null;
    boolean clean = false;
    try (URLClassLoader loader = new URLClassLoader(urls, WarmJUnitServer.class.getClassLoader())) {
      System.setOut(runOut);
      System.setErr(runErr);
      self.setContextClassLoader(loader);
      TRAP.status = null;
      TRAP.out = out;
      TRAP.err = err;
      TRAP.notifier = notifier;
      TRAP.armed = true;
      try {
        result = RepairJUnitRunner.run(RepairJUnitRunner.parse(runnerArgs), loader, runOut, hung::add, notifier);
        status = TRAP.status;
      } finally {
        // Exits stay blocked while the threads the run left behind are stopped.
        clean = hung.isEmpty() && stopLeftovers(before);
        runOut.flush();
        runErr.flush();
        TRAP.armed = false;
        System.setOut(savedOut);
        System.setErr(savedErr);
        self.setContextClassLoader(savedContext);
        System.setProperties(properties);
      }
    }
    byte[] outBytes = out.bytes.toByteArray();
    byte[] errBytes = err.bytes.toByteArray();
    int exit = result.wasSuccessful() ? 0 : 1;
    if (status != null) {
      outBytes = Arrays.copyOf(outBytes, Math.min(outBytes.length, TRAP.outCut));
      errBytes = Arrays.copyOf(errBytes, Math.min(errBytes.length, TRAP.errCut));
      exit = status & 0xff;
    }
    Files.write(stdoutFile, outBytes);
    Files.write(stderrFile, errBytes);
    return new Outcome(exit, !clean);
  }

  /**
   * Stops the threads a run started and left running (they would have died with a cold run's process); returns
   * whether all of them stopped.
   */
  @SuppressWarnings({"deprecation", "removal"})
  private static boolean stopLeftovers(Set<Thread> before) {
    List<Thread> left = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (!before.contains(thread) && thread.isAlive() && thread != Thread.currentThread()) left.add(thread);
    }
    for (Thread thread : left) thread.interrupt();
    boolean stopped = true;
    for (Thread thread : left) {
      try {
        thread.join(50);
        if (thread.isAlive()) thread.stop();
        thread.join(200);
      } catch (InterruptedException | UnsupportedOperationException e) {
        // Counted as not stopped below.
      }
      stopped &= !thread.isAlive();
    }
    return stopped;
  }

  private static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path)) return;
    try (var walk = Files.walk(path)) {
      walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
    }
  }

  /** A minimal JSON reader for the requests (objects, arrays, strings, numbers, booleans, null). */
  static final class Json {
    private final String text;
    private int at;

    Json(String text) {
      this.text = text;
    }

    Object value() {
      skip();
      char c = text.charAt(at);
      if (c == '{') {
        Map<String, Object> map = new LinkedHashMap<>();
        at++;
        skip();
        if (text.charAt(at) == '}') {
          at++;
          return map;
        }
        while (true) {
          skip();
          String key = string();
          skip();
          expect(':');
          map.put(key, value());
          skip();
          if (text.charAt(at++) == '}') return map;
        }
      }
      if (c == '[') {
        List<Object> list = new ArrayList<>();
        at++;
        skip();
        if (text.charAt(at) == ']') {
          at++;
          return list;
        }
        while (true) {
          list.add(value());
          skip();
          if (text.charAt(at++) == ']') return list;
        }
      }
      if (c == '"') return string();
      int start = at;
      while (at < text.length() && ",}] \t".indexOf(text.charAt(at)) < 0) at++;
      String word = text.substring(start, at);
      if (word.equals("true")) return Boolean.TRUE;
      if (word.equals("false")) return Boolean.FALSE;
      if (word.equals("null")) return null;
      return Double.valueOf(word);
    }

    private String string() {
      expect('"');
      StringBuilder out = new StringBuilder();
      while (true) {
        char c = text.charAt(at++);
        if (c == '"') return out.toString();
        if (c != '\\') {
          out.append(c);
          continue;
        }
        char e = text.charAt(at++);
        switch (e) {
          case 'n': out.append('\n'); break;
          case 't': out.append('\t'); break;
          case 'r': out.append('\r'); break;
          case 'b': out.append('\b'); break;
          case 'f': out.append('\f'); break;
          case 'u': out.append((char) Integer.parseInt(text.substring(at, at + 4), 16)); at += 4; break;
          default: out.append(e);
        }
      }
    }

    private void expect(char c) {
      if (text.charAt(at++) != c) throw new IllegalArgumentException("bad JSON at " + (at - 1));
    }

    private void skip() {
      while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
    }

    static String quote(String s) {
      StringBuilder out = new StringBuilder("\"");
      for (char c : s.toCharArray()) {
        if (c == '"' || c == '\\') out.append('\\').append(c);
        else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
        else out.append(c);
      }
      return out.append('"').toString();
    }
  }
}
