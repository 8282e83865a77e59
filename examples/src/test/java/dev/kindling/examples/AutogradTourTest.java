package dev.kindling.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The autograd tour prints what PyTorch prints: every line of PyTorch's transcript
 * (autograd_tour/torch_output.txt, written by gen_autograd_tour.py with torch 1.13) appears in
 * the Java tour's output, in the same order — the '>>>' code lines, the tensors with their
 * grad_fn, next_functions tuples, True/False/None — with object addresses masked.
 */
class AutogradTourTest {
  private static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    for (String l : text.split("\n")) out.add(l.replaceAll("0x[0-9a-f]+", "0x…"));
    return out;
  }

  @Test
  void printsWhatPyTorchPrintsStepByStep() throws IOException {
    String expected;
    try (InputStream in = getClass().getResourceAsStream("/autograd_tour/torch_output.txt")) {
      expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    ExampleRun run = ExampleRun.run("autograd-tour").assertOk();
    List<String> actual = lines(run.out());
    int at = 0, matched = 0;
    for (String want : lines(expected)) {
      if (want.startsWith("#") && !want.startsWith("## ") || want.isBlank()) continue;
      int found = -1;
      for (int i = at; i < actual.size(); i++) {
        if (matches(want, actual.get(i))) {
          found = i;
          break;
        }
      }
      if (found < 0) fail("PyTorch's line\n  " + want + "\nis not in the tour's output after line " + at + ":\n" + run.out());
      at = found + 1;
      matched++;
    }
    assertTrue(matched > 80, "only " + matched + " lines compared");
  }

  /**
   * Lines must be equal, except the error of a second backward: Kindling's message names the
   * node and says retainGraph=true (the Java spelling); its substance must be PyTorch's.
   */
  private static boolean matches(String want, String got) {
    if (want.startsWith("error: Trying to backward through the graph a second time"))
      return got.startsWith("error: ") && got.contains("Trying to backward through the graph a second time")
          && got.contains("Specify retainGraph=true");
    return want.equals(got);
  }
}
