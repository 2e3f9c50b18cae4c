package repairls.coverage;

import java.io.File;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * A java.lang.instrument agent that adds a line probe (a call to LineProbes.hit) at the first instruction of every
 * line of the classes loaded from one folder, the workspace's compiled classes (system property
 * repairls.coverage.classes). Classes from anywhere else (the JDK, JUnit, jars) are left untouched, and a class
 * that cannot be instrumented (too large, unreadable) is loaded unchanged rather than failing the test.
 */
public final class CoverageAgent {
    private CoverageAgent() {}

    public static void premain(String args, Instrumentation instrumentation) {
        String classes = System.getProperty("repairls.coverage.classes");
        if (classes == null) return;
        File folder = canonical(new File(classes));
        instrumentation.addTransformer(new ClassFileTransformer() {
            @Override
            public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
                    byte[] bytes) {
                if (name == null || redefined != null || !loadedFrom(domain, folder)) return null;
                try {
                    return instrument(name, bytes);
                } catch (Throwable problem) {
                    return null;
                }
            }
        });
    }

    private static File canonical(File file) {
        try {
            return file.getCanonicalFile();
        } catch (java.io.IOException e) {
            return file.getAbsoluteFile();
        }
    }

    private static boolean loadedFrom(ProtectionDomain domain, File folder) {
        if (domain == null) return false;
        CodeSource source = domain.getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (location == null || !"file".equals(location.getProtocol())) return false;
        try {
            return canonical(new File(location.toURI())).equals(folder);
        } catch (Exception e) {
            return false;
        }
    }

    static byte[] instrument(String className, byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        // Probes leave the operand stack as they found it, so frames stay valid; only the maximum stack changes.
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        int slash = className.lastIndexOf('/');
        String packagePath = slash < 0 ? "" : className.substring(0, slash + 1);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            private String sourcePath;

            @Override
            public void visitSource(String source, String debug) {
                if (source != null) sourcePath = packagePath + source;
                super.visitSource(source, debug);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
                return sourcePath == null || next == null ? next : new LineProbeAdder(next, sourcePath);
            }
        }, 0);
        return writer.toByteArray();
    }

    /**
     * Adds a probe before the first instruction that follows a line number entry. The probe waits for that
     * instruction rather than going right after the entry: a stack map frame for the same label comes after the
     * entry, and the probe must follow the frame so that jumps to the label still execute it.
     */
    private static final class LineProbeAdder extends MethodVisitor {
        private final String sourcePath;
        private int pending = -1;

        LineProbeAdder(MethodVisitor next, String sourcePath) {
            super(Opcodes.ASM9, next);
            this.sourcePath = sourcePath;
        }

        @Override
        public void visitLineNumber(int line, Label start) {
            super.visitLineNumber(line, start);
            pending = LineProbes.register(sourcePath, line);
        }

        private void flush() {
            if (pending < 0) return;
            int id = pending;
            pending = -1;
            super.visitLdcInsn(id);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, "repairls/coverage/LineProbes", "hit", "(I)V", false);
        }

        @Override
        public void visitInsn(int opcode) {
            flush();
            super.visitInsn(opcode);
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            flush();
            super.visitIntInsn(opcode, operand);
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            flush();
            super.visitVarInsn(opcode, var);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            flush();
            super.visitTypeInsn(opcode, type);
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            flush();
            super.visitFieldInsn(opcode, owner, name, descriptor);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            flush();
            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
            flush();
            super.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            flush();
            super.visitJumpInsn(opcode, label);
        }

        @Override
        public void visitLdcInsn(Object value) {
            flush();
            super.visitLdcInsn(value);
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            flush();
            super.visitIincInsn(var, increment);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label fallback, Label... labels) {
            flush();
            super.visitTableSwitchInsn(min, max, fallback, labels);
        }

        @Override
        public void visitLookupSwitchInsn(Label fallback, int[] keys, Label[] labels) {
            flush();
            super.visitLookupSwitchInsn(fallback, keys, labels);
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int dimensions) {
            flush();
            super.visitMultiANewArrayInsn(descriptor, dimensions);
        }
    }
}
