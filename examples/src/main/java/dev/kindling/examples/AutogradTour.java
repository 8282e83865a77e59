package dev.kindling.examples;

import dev.kindling.Autograd;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.autograd.AccumulateGrad;
import dev.kindling.autograd.Edge;
import dev.kindling.autograd.Node;
import dev.kindling.autograd.RemovableHandle;
import java.io.PrintStream;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * PyTorch's autograd tutorial replayed step by step in Kindling: each step shows the PyTorch line
 * ({@code >>> …}), the Java that does the same ({@code // …}), and what it prints — tensors,
 * {@code grad_fn}, {@code next_functions}, {@code is_leaf}, hooks, {@code autograd.grad},
 * {@code detach} and {@code no_grad} — in PyTorch's words (True/False/None, tuples), so the
 * transcript reads like a PyTorch session. The PyTorch lines and what PyTorch itself printed for
 * them are in examples/src/test/resources/autograd_tour/ (gen_autograd_tour.py); the test checks
 * that this tour prints the same.
 */
@Command(name = "autograd-tour", mixinStandardHelpOptions = true,
    description = "PyTorch's autograd tutorial step by step in Kindling: grad_fn, next_functions, is_leaf, hooks, autograd.grad, detach.")
public final class AutogradTour implements Callable<Integer> {
  private final PrintStream out;

  public AutogradTour() {
    this(System.out);
  }

  public AutogradTour(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() {
    try (Scope s = Kindling.scope()) {
      run();
    }
    return 0;
  }

  private void run() {
    out.println("PyTorch's autograd tutorial in Kindling. Each step: the PyTorch line (>>>), the Java that does the same (//),");
    out.println("then what it printed; values are shown as Python prints them (True/False, None, tuples).");
    section("1. A tensor that requires grad, and what is computed from it");
    step("x = torch.ones(2, 2, requires_grad=True)", "Tensor x = Tensor.ones(2, 2).requiresGrad_();");
    Tensor x = Tensor.ones(2, 2).requiresGrad_();
    step("print(x)", "System.out.println(x);");
    print(x);
    step("y = x + 2", "Tensor y = x.add(2);");
    Tensor y = x.add(2);
    step("print(y)", "System.out.println(y);");
    print(y);
    step("print(y.grad_fn)", "System.out.println(y.gradFn());");
    print(y.gradFn());
    step("print(x.grad_fn)", "System.out.println(x.gradFn());");
    print(x.gradFn());
    step("z = y * y * 3\nout = z.mean()", "Tensor z = y.mul(y).mul(3);\nTensor out = z.mean();");
    Tensor z = y.mul(y).mul(3);
    Tensor out = z.mean();
    step("print(z, out)", "System.out.println(z + \" \" + out);");
    print(z, out);

    section("2. requires_grad_() switches recording on in place");
    step("a = torch.tensor([[2., 3.], [4., 5.]])\na = ((a * 3) / (a - 1))",
        "Tensor a = Tensor.of(new float[][] {{2, 3}, {4, 5}});\na = a.mul(3).div(a.sub(1));");
    Tensor a = Tensor.of(new float[][] {{2, 3}, {4, 5}});
    a = a.mul(3).div(a.sub(1));
    step("print(a.requires_grad)", "System.out.println(a.requiresGrad());");
    print(a.requiresGrad());
    step("a.requires_grad_(True)\nprint(a.requires_grad)", "a.requiresGrad_(true);\nSystem.out.println(a.requiresGrad());");
    a.requiresGrad_(true);
    print(a.requiresGrad());
    step("b = (a * a).sum()\nprint(b.grad_fn)", "Tensor b = a.mul(a).sum();\nSystem.out.println(b.gradFn());");
    Tensor b = a.mul(a).sum();
    print(b.gradFn());

    section("3. The graph: grad_fn, next_functions, is_leaf, AccumulateGrad");
    step("print(x.is_leaf, y.is_leaf, out.is_leaf)", "System.out.println(x.isLeaf() + \" \" + y.isLeaf() + \" \" + out.isLeaf());");
    print(x.isLeaf(), y.isLeaf(), out.isLeaf());
    step("print(out.grad_fn.next_functions)", "System.out.println(out.gradFn().nextFunctions());");
    print(out.gradFn().nextFunctions());
    step("print(z.grad_fn.next_functions)", "System.out.println(z.gradFn().nextFunctions());");
    print(z.gradFn().nextFunctions());
    step("yy = z.grad_fn.next_functions[0][0]\nprint(yy.next_functions)",
        "Node yy = z.gradFn().nextFunctions().get(0).node();\nSystem.out.println(yy.nextFunctions());");
    Node yy = z.gradFn().nextFunctions().get(0).node();
    print(yy.nextFunctions());
    step("acc = y.grad_fn.next_functions[0][0]\nprint(acc)",
        "AccumulateGrad acc = (AccumulateGrad) y.gradFn().nextFunctions().get(0).node();\nSystem.out.println(acc);");
    AccumulateGrad acc = (AccumulateGrad) y.gradFn().nextFunctions().get(0).node();
    print(acc);
    step("print(acc.variable)", "System.out.println(acc.variable());");
    print(acc.variable());

    section("4. backward() fills .grad of the leaves");
    step("print(x.grad)", "System.out.println(x.grad());");
    print(x.grad());
    step("out.backward()\nprint(x.grad)", "out.backward();\nSystem.out.println(x.grad());");
    out.backward();
    print(x.grad());
    step("print(y.grad)", "System.out.println(y.grad());");
    print(y.grad());

    section("5. retain_grad() keeps the gradient of a non-leaf");
    step("x.grad = None\ny = x + 2\ny.retain_grad()\nout = (y * y * 3).mean()\nout.backward()",
        "x.setGrad(null);\ny = x.add(2);\ny.retainGrad();\nout = y.mul(y).mul(3).mean();\nout.backward();");
    x.setGrad(null);
    y = x.add(2);
    y.retainGrad();
    out = y.mul(y).mul(3).mean();
    out.backward();
    step("print(y.grad)", "System.out.println(y.grad());");
    print(y.grad());
    step("print(x.grad)", "System.out.println(x.grad());");
    print(x.grad());

    section("6. backward(gradient): vector-Jacobian products");
    step("x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x * 2\nv = torch.tensor([0.1, 1.0, 0.0001])\ny.backward(v)",
        "x = Tensor.of(1f, 2f, 3f).requiresGrad_();\ny = x.mul(2);\nTensor v = Tensor.of(0.1f, 1.0f, 0.0001f);\ny.backward(v);");
    x = Tensor.of(1f, 2f, 3f).requiresGrad_();
    y = x.mul(2);
    Tensor v = Tensor.of(0.1f, 1.0f, 0.0001f);
    y.backward(v);
    step("print(x.grad)", "System.out.println(x.grad());");
    print(x.grad());

    section("7. The graph is freed by backward unless retain_graph=True");
    step("x.grad = None\nout = (x * x).sum()\nout.backward()", "x.setGrad(null);\nout = x.mul(x).sum();\nout.backward();");
    x.setGrad(null);
    out = x.mul(x).sum();
    out.backward();
    step("try:\n    out.backward()\nexcept RuntimeError as e:\n    print('error:', e)",
        "try { out.backward(); } catch (RuntimeException e) { System.out.println(\"error: \" + e.getMessage()); }");
    try {
      out.backward();
      print("no error?");
    } catch (RuntimeException e) {
      print("error: " + e.getMessage());
    }
    step("out = (x * x).sum()\nout.backward(retain_graph=True)\nout.backward()\nprint(x.grad)",
        "out = x.mul(x).sum();\nout.backward(null, true);\nout.backward();\nSystem.out.println(x.grad());");
    out = x.mul(x).sum();
    out.backward(null, true);
    out.backward();
    print(x.grad());

    section("8. Hooks see (and may replace) a gradient on its way");
    step("x.grad = None\ny = x * 2\nh = y.register_hook(lambda g: print('hook saw', g) or g * 10)\ny.sum().backward()",
        "x.setGrad(null);\ny = x.mul(2);\nRemovableHandle h = y.registerHook(g -> { System.out.println(\"hook saw \" + g); return g.mul(10); });\ny.sum().backward();");
    x.setGrad(null);
    y = x.mul(2);
    RemovableHandle h = y.registerHook(g -> {
      print("hook saw", g);
      return g.mul(10);
    });
    y.sum().backward();
    step("print(x.grad)", "System.out.println(x.grad());");
    print(x.grad());
    step("h.remove()\nx.grad = None\n(x * 2).sum().backward()\nprint(x.grad)",
        "h.remove();\nx.setGrad(null);\nx.mul(2).sum().backward();\nSystem.out.println(x.grad());");
    h.remove();
    x.setGrad(null);
    x.mul(2).sum().backward();
    print(x.grad());

    section("9. torch.autograd.grad, and gradients of gradients");
    step("x = torch.tensor([1., 2., 3.], requires_grad=True)\n(dx,) = torch.autograd.grad(x.pow(3).sum(), x, create_graph=True)",
        "x = Tensor.of(1f, 2f, 3f).requiresGrad_();\nTensor dx = Autograd.grad(List.of(x.pow(3).sum()), List.of(x), null, true).get(0);");
    x = Tensor.of(1f, 2f, 3f).requiresGrad_();
    Tensor dx = Autograd.grad(List.of(x.pow(3).sum()), List.of(x), null, true).get(0);
    step("print(dx.detach(), dx.requires_grad)", "System.out.println(dx.detach() + \" \" + dx.requiresGrad());");
    print(dx.detach(), dx.requiresGrad());
    step("(d2,) = torch.autograd.grad(dx.sum(), x)\nprint(d2)",
        "Tensor d2 = Autograd.grad(dx.sum(), x);\nSystem.out.println(d2);");
    Tensor d2 = Autograd.grad(dx.sum(), x);
    print(d2);
    step("print(x.grad)", "System.out.println(x.grad());");
    print(x.grad());

    section("10. no_grad, detach and .data");
    step("print(x.requires_grad, (x ** 2).requires_grad)",
        "System.out.println(x.requiresGrad() + \" \" + x.pow(2).requiresGrad());");
    print(x.requiresGrad(), x.pow(2).requiresGrad());
    step("with torch.no_grad():\n    print((x ** 2).requires_grad)",
        "try (var noGrad = Autograd.noGrad()) {\n  System.out.println(x.pow(2).requiresGrad());\n}");
    try (var noGrad = Autograd.noGrad()) {
      print(x.pow(2).requiresGrad());
    }
    step("d = x.detach()\nprint(d.requires_grad, d.is_leaf, d.grad_fn)",
        "Tensor d = x.detach();\nSystem.out.println(d.requiresGrad() + \" \" + d.isLeaf() + \" \" + d.gradFn());");
    Tensor d = x.detach();
    print(d.requiresGrad(), d.isLeaf(), d.gradFn());
    step("print(x.eq(d).all())", "System.out.println(x.eq(d).all());");
    print(x.eq(d).all());

    section("11. The GAN idioms: detach the fake batch, freeze the critic, clip its weights");
    step("w = torch.tensor([0.5, -0.25, 0.005], requires_grad=True)\nfake = w * 3",
        "Tensor w = Tensor.of(0.5f, -0.25f, 0.005f).requiresGrad_();\nTensor fake = w.mul(3);");
    Tensor w = Tensor.of(0.5f, -0.25f, 0.005f).requiresGrad_();
    Tensor fake = w.mul(3);
    step("print(fake.detach().requires_grad, fake.requires_grad)",
        "System.out.println(fake.detach().requiresGrad() + \" \" + fake.requiresGrad());");
    print(fake.detach().requiresGrad(), fake.requiresGrad());
    step("w.requires_grad_(False)\nprint((w * 3).requires_grad)\nw.requires_grad_(True)",
        "w.requiresGrad_(false);\nSystem.out.println(w.mul(3).requiresGrad());\nw.requiresGrad_(true);");
    w.requiresGrad_(false);
    print(w.mul(3).requiresGrad());
    w.requiresGrad_(true);
    step("w.data.clamp_(-0.01, 0.01)\nprint(w)", "w.data().clamp_(-0.01, 0.01);\nSystem.out.println(w);");
    w.data().clamp_(-0.01, 0.01);
    print(w);
  }

  private void section(String title) {
    out.println();
    out.println("## " + title);
  }

  /** The PyTorch code of a step as a REPL shows it, then the Java that does the same. */
  private void step(String python, String java) {
    String[] lines = python.split("\n");
    for (int i = 0; i < lines.length; i++) out.println((i == 0 ? ">>> " : "... ") + lines[i]);
    for (String line : java.split("\n")) out.println("    // " + line);
  }

  /** Prints values separated by spaces, as Python's print does: True/False, None, tuples. */
  private void print(Object... values) {
    StringJoiner line = new StringJoiner(" ");
    for (Object v : values) line.add(python(v));
    out.println(line);
  }

  private static String python(Object v) {
    if (v == null) return "None";
    if (v instanceof Boolean b) return b ? "True" : "False";
    if (v instanceof List<?> list && (list.isEmpty() || list.get(0) instanceof Edge)) {
      // next_functions is a tuple of (node, input_nr) pairs; a 1-tuple keeps its trailing comma
      StringJoiner t = new StringJoiner(", ", "(", list.size() == 1 ? ",)" : ")");
      for (Object e : list) t.add(String.valueOf(e));
      return t.toString();
    }
    return String.valueOf(v);
  }
}
