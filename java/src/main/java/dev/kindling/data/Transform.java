package dev.kindling.data;

import java.util.List;
import java.util.Objects;

/**
 * A step of image preprocessing or augmentation, like a torchvision transform: it takes an image
 * and returns a new one (the input is left as it was, since a dataset may hand out a cached one).
 * Random transforms draw from their own {@link Generator}, so one seed fixes the augmentation of a
 * run; they are applied on the DataLoader's one prefetch thread, in batch order.
 */
@FunctionalInterface
public interface Transform {
  /**
   * Transforms one image.
   *
   * @param image the input
   * @return the output (a new image, or the input unchanged)
   */
  Image apply(Image image);

  /**
   * This transform, then next.
   *
   * @param next the transform applied second
   * @return the composition
   */
  default Transform andThen(Transform next) {
    Objects.requireNonNull(next, "Transform.andThen: next is null");
    return img -> next.apply(apply(img));
  }

  /**
   * The transforms applied in order, like {@code transforms.Compose([...])}.
   *
   * @param transforms the transforms, in order
   * @return the composition
   */
  static Transform compose(Transform... transforms) {
    List<Transform> list = List.of(transforms);
    return img -> {
      Image out = img;
      for (Transform t : list) out = t.apply(out);
      return out;
    };
  }
}
