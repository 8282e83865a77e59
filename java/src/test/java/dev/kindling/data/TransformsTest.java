package dev.kindling.data;

import static dev.kindling.data.DataGolden.*;
import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.kindling.Kindling;
import dev.kindling.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Transforms against hand-computed values and against the operations torchvision uses, run by
 * PyTorch in gen_data.py: ToTensor (bytes / 255, HWC to CHW), Normalize ((x - mean) / std in
 * float32, bit for bit), RandomHorizontalFlip and RandomCrop(padding) with the same generator
 * draws, hence the same flips and windows.
 */
class TransformsTest {
  @Test
  void toTensorScalesBytesToUnitRange() {
    byte[] px = {0, (byte) 255, (byte) 128, 1, 51, (byte) 204};
    Image img = ToTensor.apply(px, 0, 1, 2, 3);
    assertArrayEquals(new float[] {0f, 1f, 128f / 255f, 1f / 255f, 0.2f, 0.8f}, img.data());
    assertEquals("[1, 2, 3]", img.shapeString());
    // an offset into a larger array, as a dataset of many images uses it
    assertEquals(0.2f, ToTensor.apply(px, 4, 1, 1, 1).data()[0]);

    JsonObject g = load().getAsJsonObject("to_tensor");
    int[] hwc = ints(g.getAsJsonArray("hwc"));
    byte[] bytes = new byte[hwc.length];
    for (int i = 0; i < hwc.length; i++) bytes[i] = (byte) hwc[i];
    Image rgb = ToTensor.apply(bytes, 0, g.get("c").getAsInt(), g.get("h").getAsInt(), g.get("w").getAsInt());
    assertArrayEquals(floats(g.getAsJsonArray("chw")), rgb.data(), "torchvision's ToTensor on an HWC uint8 array");
    assertThrows(IllegalArgumentException.class, () -> ToTensor.apply(px, 1, 1, 2, 3));
  }

  @Test
  void normalizeIsTorchvisionsFormula() {
    // by hand: (x - 0.5) / 0.25
    Image img = new Image(new float[] {0f, 0.5f, 1f, 0.75f}, 1, 2, 2);
    assertArrayEquals(new float[] {-2f, 0f, 2f, 1f}, new Normalize(0.5, 0.25).apply(img).data());
    assertArrayEquals(new float[] {0f, 0.5f, 1f, 0.75f}, img.data(), "the input is left unchanged");
    // Fashion-MNIST's statistics: float32 arithmetic with float32-rounded mean and std
    float m = (float) 0.2860, s = (float) 0.3530;
    Image px = new Image(new float[] {0f, 1f}, 1, 1, 2);
    assertArrayEquals(new float[] {(0f - m) / s, (1f - m) / s}, new Normalize(0.2860, 0.3530).apply(px).data());

    JsonObject g = load().getAsJsonObject("normalize");
    int[] shape = ints(g.getAsJsonArray("shape"));
    Image in = new Image(floats(g.getAsJsonArray("input")), shape[0], shape[1], shape[2]);
    double[] mean = g.getAsJsonArray("mean").asList().stream().mapToDouble(e -> e.getAsDouble()).toArray();
    double[] std = g.getAsJsonArray("std").asList().stream().mapToDouble(e -> e.getAsDouble()).toArray();
    assertArrayEquals(floats(g.getAsJsonArray("output")), new Normalize(mean, std).apply(in).data(),
        "torchvision's Normalize(ImageNet mean, std) on a 3-channel image");

    var e = assertThrows(IllegalArgumentException.class, () -> new Normalize(0.5, 0.0));
    assertTrue(e.getMessage().contains("std evaluated to zero"), e.getMessage());
    var e2 = assertThrows(IllegalArgumentException.class, () -> new Normalize(new double[] {0, 0}, new double[] {1, 1}).apply(in));
    assertEquals("Normalize: 2 means and stds for an image of 3 channels (shape [3, 4, 5])", e2.getMessage());
  }

  @Test
  void flipAndCropByHand() {
    Image img = new Image(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
    assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4}, RandomHorizontalFlip.flip(img).data());
    assertSame(img, new RandomHorizontalFlip(0.0, new Generator(0)).apply(img), "p = 0 never flips");
    assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4}, new RandomHorizontalFlip(1.0, new Generator(0)).apply(img).data());
    // a 3x3 window at (-1, 1) of the 2x3 image padded by zeros
    assertArrayEquals(new float[] {0, 0, 0, 2, 3, 0, 5, 6, 0}, RandomCrop.crop(img, -1, 1, 3, 3).data());
    // padding 1 and a window of the padded size: no draw, the padded image itself
    Generator g = new Generator(4);
    byte[] before = g.getState();
    Image padded = new RandomCrop(4, 5, 1, g).apply(img);
    assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 0, 0, 0, 0, 0, 0}, padded.data());
    assertArrayEquals(before, g.getState(), "no random draw when the window covers the padded image");
    var e = assertThrows(IllegalArgumentException.class, () -> new RandomCrop(5, 0, new Generator()).apply(img));
    assertEquals("RandomCrop: required crop size (5, 5) is larger than input image size (2, 3) after padding 0", e.getMessage());
  }

  @Test
  void randomAugmentationsDrawAsTorchvisionDoes() {
    JsonObject a = load().getAsJsonObject("augment");
    int[] shape = ints(a.getAsJsonArray("shape"));
    JsonArray images = a.getAsJsonArray("images");
    JsonObject flip = a.getAsJsonObject("flip"), crop = a.getAsJsonObject("crop");
    var f = new RandomHorizontalFlip(flip.get("p").getAsDouble(), new Generator(flip.get("seed").getAsLong()));
    var c = new RandomCrop(crop.get("height").getAsInt(), crop.get("width").getAsInt(), crop.get("padding").getAsInt(),
        new Generator(crop.get("seed").getAsLong()));
    int flipped = 0;
    for (int i = 0; i < images.size(); i++) {
      Image img = new Image(floats(images.get(i).getAsJsonArray()), shape[0], shape[1], shape[2]);
      float[] want = floats(flip.getAsJsonArray("outputs").get(i).getAsJsonArray());
      Image out = f.apply(img);
      assertArrayEquals(want, out.data(), "flip of image " + i);
      if (out != img) flipped++;
      assertArrayEquals(floats(crop.getAsJsonArray("outputs").get(i).getAsJsonArray()), c.apply(img).data(), "crop of image " + i);
    }
    assertTrue(flipped > 0 && flipped < images.size(), "some images flipped, some not: " + flipped);
  }

  @Test
  void composeAppliesInOrderAndCollateMakesOneTensorPerBatch() {
    Transform t = Transform.compose(RandomHorizontalFlip::flip, new Normalize(1, 2));
    Image img = new Image(new float[] {1, 3, 5}, 1, 1, 3);
    assertArrayEquals(new float[] {2, 1, 0}, t.apply(img).data());
    assertArrayEquals(new float[] {2, 1, 0}, ((Transform) RandomHorizontalFlip::flip).andThen(new Normalize(1, 2)).apply(img).data());

    long before = Kindling.liveTensors();
    try (Batch b = LabeledImage.collate(List.of(new LabeledImage(img, 4), new LabeledImage(new Image(new float[] {7, 8, 9}, 1, 1, 3), 2)))) {
      assertArrayEquals(new long[] {2, 1, 1, 3}, b.inputs().shape());
      assertEquals(dev.kindling.DType.FLOAT32, b.inputs().dtype());
      assertEquals(dev.kindling.DType.INT64, b.targets().dtype());
      assertArrayEquals(new float[] {1, 3, 5, 7, 8, 9}, b.inputs().toFloatArray());
      assertArrayEquals(new long[] {4, 2}, b.targets().toLongArray());
    }
    assertEquals(before, Kindling.liveTensors());
    var e = assertThrows(IllegalArgumentException.class,
        () -> LabeledImage.collate(List.of(new LabeledImage(img, 0), new LabeledImage(new Image(new float[4], 1, 2, 2), 0))));
    assertEquals("LabeledImage.collate: stack expects each image to be equal size, but got [1, 1, 3] at entry 0 and [1, 2, 2] at entry 1",
        e.getMessage());
    try (Tensor one = img.toTensor()) {
      assertArrayEquals(new long[] {1, 1, 3}, one.shape());
    }
  }
}
