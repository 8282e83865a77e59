package dev.kindling.io;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Tensor;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint write interrupted at any point never leaves a torn file in place of the last good
 * one (issue 9, item 5). A child JVM ({@link CheckpointWriterMain}) rewrites one checkpoint in a
 * loop — alternately with Checkpoint.save and SafeTensors.write, 4 MB a version — and is killed
 * with SIGKILL at random moments; after every kill the file must load and be one whole version
 * (its metadata counter matches every tensor value) no older than the last version the child
 * reported finished. Both writers go through the same temp-file + fsync + rename path, so a kill
 * can leave a stray temp file ({@code .<name>.tmp.<pid>.<n>}) beside the target but never a partial
 * target; the stray files are counted here and otherwise ignored (nothing cleans them up but the user).
 */
class InterruptedCheckpointWriteTest {
  private static final int ROUNDS = 30;

  @TempDir Path dir;

  @Test
  void aKilledWriterLeavesTheLastGoodCheckpointOrTheNextOneNeverATornFile() throws Exception {
    Path target = dir.resolve("model.ckpt");
    Random random = new Random(20261127);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
    long live = Kindling.liveTensors();
    long lastSeen = 0;
    List<Long> kills = new ArrayList<>();
    int rounds = 0;
    for (; rounds < ROUNDS && System.nanoTime() < deadline; rounds++) {
      AtomicLong reported = new AtomicLong();
      long first = lastSeen + 1;
      Process child = start(target, first);
      Thread reader = follow(child, reported);
      try {
        // Kill at a random moment once this child is writing (it has put its first version in place).
        awaitFirstVersion(child, reported);
        Thread.sleep(5 + random.nextInt(296));
      } finally {
        child.destroyForcibly();
        assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child did not die");
        reader.join(5_000);
      }
      long finished = reported.get();
      long version = readWholeVersion(target);
      // The last version reported finished, or the one after it that was renamed into place just
      // before the kill; never an older one and never a mix.
      assertTrue(version == finished || version == finished + 1, "round " + rounds + ": the file holds version " + version
          + " but the child had last finished version " + finished);
      kills.add(version - finished);
      lastSeen = version;
    }
    assertTrue(rounds >= 10, "only " + rounds + " rounds ran in the time box");
    assertTrue(lastSeen >= 1);
    try (Stream<Path> files = Files.list(dir)) {
      long stray = files.filter(p -> p.getFileName().toString().startsWith(".model.ckpt.tmp.")).count();
      // Stray temp files are allowed (a SIGKILL gives the writer no chance to remove its own).
      System.out.println("InterruptedCheckpointWriteTest: " + rounds + " kills, last version " + lastSeen + ", " + stray + " stray temp file(s); kills after a rename not yet reported: " + kills.stream().filter(k -> k == 1).count());
    }
    LeakCheck.assertNotAbove(live, "reading the checkpoints");
  }

  /** The same java and class path as this JVM, running CheckpointWriterMain on target. */
  private static Process start(Path target, long firstVersion) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", cp));
    for (String k : System.getProperties().stringPropertyNames())
      if (k.startsWith("kindling.") || k.startsWith("org.bytedeco.")) cmd.add("-D" + k + "=" + System.getProperty(k));
    cmd.add(CheckpointWriterMain.class.getName());
    cmd.add(target.toString());
    cmd.add(Long.toString(firstVersion));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  /** Reads the child's output on a thread of its own: each line is a finished version. */
  private static Thread follow(Process child, AtomicLong reported) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          try {
            reported.set(Long.parseLong(line.trim()));
          } catch (NumberFormatException e) {
            System.err.println("child: " + line);
          }
        }
      } catch (IOException e) {
        // the child was killed
      }
    }, "checkpoint-child-output");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void awaitFirstVersion(Process child, AtomicLong reported) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (reported.get() < 1) {
      if (!child.isAlive()) fail("the writer exited with status " + child.exitValue() + " before its first checkpoint");
      if (System.nanoTime() > until) fail("the writer wrote no checkpoint in 20 s");
      Thread.sleep(5);
    }
  }

  /** Loads the file and returns its version, failing unless every value in it agrees with it. */
  private static long readWholeVersion(Path target) {
    assertTrue(Files.exists(target), "the checkpoint is gone");
    try (SafeTensors.Contents c = SafeTensors.read(target)) {
      long version = Long.parseLong(c.metadata().get("version"));
      Map<String, Tensor> t = c.tensors();
      assertEquals(2, t.size(), "tensors in version " + version + ": " + t.keySet());
      for (Map.Entry<String, Tensor> e : t.entrySet()) {
        float[] values = e.getValue().toFloatArray();
        assertEquals(e.getKey().endsWith("weight") ? CheckpointWriterMain.ELEMENTS : 7, values.length, e.getKey());
        for (int i = 0; i < values.length; i++)
          if (values[i] != version) fail("torn checkpoint: " + e.getKey() + "[" + i + "] = " + values[i] + " in version " + version);
      }
      return version;
    }
  }
}
