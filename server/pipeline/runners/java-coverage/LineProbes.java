package repairls.coverage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The line probes that instrumented classes call: one flag per (source file, line). Flags are plain array writes so
 * that a probe costs almost nothing; the runner clears them before each test and reads them after it.
 */
public final class LineProbes {
    /** Most distinct lines probed in one run; lines beyond it are left without a probe rather than failing. */
    static final int CAPACITY = 1 << 20;

    private static final boolean[] HITS = new boolean[CAPACITY];
    private static final Map<String, Integer> IDS = new HashMap<>();
    private static final List<String> FILES = new ArrayList<>();
    private static final List<Integer> LINES = new ArrayList<>();

    private LineProbes() {}

    /** Called by instrumented code when a line starts executing. */
    public static void hit(int id) {
        HITS[id] = true;
    }

    /** The probe id of a line, or -1 when every id is taken. The same line of two classes shares one id. */
    static synchronized int register(String sourcePath, int line) {
        String key = sourcePath + ":" + line;
        Integer known = IDS.get(key);
        if (known != null) return known;
        int id = FILES.size();
        if (id >= CAPACITY) return -1;
        IDS.put(key, id);
        FILES.add(sourcePath);
        LINES.add(line);
        return id;
    }

    /** Forgets every hit, before a test starts. */
    static synchronized void reset() {
        java.util.Arrays.fill(HITS, 0, FILES.size(), false);
    }

    /** The lines hit since the last reset, as "path\tline" strings. */
    static synchronized List<String> hitLines() {
        List<String> out = new ArrayList<>();
        for (int id = 0; id < FILES.size(); id++) {
            if (HITS[id]) out.add(FILES.get(id) + "\t" + LINES.get(id));
        }
        return out;
    }
}
