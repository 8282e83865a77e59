package dev.kindling.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Numbers in option messages print as Python's repr prints them (the values below are Python's). */
class ChecksTest {
  @Test
  void floatsPrintAsPythonReprs() {
    double[] values = {1e16, 0.0001, 123456.5, 2.5e-7, -0.0, 1e22, 12345678901234567.0, 100.0, 0.1 + 0.2, 1.0 / 3,
        1.7976931348623157e308, -1e-05, -0.1, Double.NaN, Double.NEGATIVE_INFINITY};
    String[] python = {"1e+16", "0.0001", "123456.5", "2.5e-07", "-0.0", "1e+22", "1.2345678901234568e+16", "100.0",
        "0.30000000000000004", "0.3333333333333333", "1.7976931348623157e+308", "-1e-05", "-0.1", "nan", "-inf"};
    for (int i = 0; i < values.length; i++) assertEquals(python[i], Checks.py(values[i]), "repr of " + values[i]);
  }
}
