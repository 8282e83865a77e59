package dev.kindling.io;

import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The child process of {@link InterruptedCheckpointWriteTest}: writes a checkpoint to the path
 * given as its first argument, from the version given as its second on, again and again until it is killed. Version n is self-describing: its
 * metadata entry "version" is n and every element of its tensors equals n (a 4 MB "weight" and
 * a small "bias"), so a reader can tell a whole version from a torn mix of two. It prints each
 * version once it is in place, so the parent knows the file exists before it starts killing.
 */
public final class CheckpointWriterMain {
  /** Elements of the big tensor: 4 MiB of float32. */
  static final int ELEMENTS = 1 << 20;

  private CheckpointWriterMain() {}

  public static void main(String[] args) {
    Path target = Path.of(args[0]);
    for (long version = Long.parseLong(args[1]); ; version++) {
      try (Scope s = Kindling.scope()) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("weight", Tensor.full(new long[] {ELEMENTS}, version));
        tensors.put("bias", Tensor.full(new long[] {7}, version));
        if (version % 2 == 0) {
          SafeTensors.write(target, tensors, Map.of("version", Long.toString(version)));
        } else {
          Checkpoint.save(target, Checkpoint.entries().with("version", version).with("model", tensors));
        }
      }
      System.out.println(version);
      System.out.flush();
    }
  }
}
