package io.speakerkit.examples.manifest;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Parses durations as Kubernetes manifests write them (Go's {@code time.ParseDuration}: a sequence of decimal numbers,
 * each with an optional fraction and a unit among {@code ns us µs ms s m h}, e.g. {@code 90s}, {@code 1m30s},
 * {@code 1.5h}).
 */
public final class GoDuration {

  private GoDuration() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException with a message saying what was expected
   */
  public static Duration parse(String text) {
    String s = text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("\"\" (expected: a duration such as 90s or 1m30s)");
    }
    boolean negative = false;
    int i = 0;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      negative = s.charAt(0) == '-';
      i++;
    }
    if (s.substring(i).equals("0")) {
      return Duration.ZERO;
    }
    BigDecimal totalNanos = BigDecimal.ZERO;
    boolean any = false;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      if (start == i) {
        throw bad(text);
      }
      BigDecimal number;
      try {
        number = new BigDecimal(s.substring(start, i));
      } catch (NumberFormatException e) {
        throw bad(text);
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      long unitNanos = switch (s.substring(unitStart, i)) {
        case "ns" -> 1L;
        case "us", "µs", "μs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "h" -> 3_600_000_000_000L;
        default -> throw bad(text);
      };
      totalNanos = totalNanos.add(number.multiply(BigDecimal.valueOf(unitNanos)));
      any = true;
    }
    if (!any) {
      throw bad(text);
    }
    long nanos;
    try {
      nanos = totalNanos.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("\"" + text + "\" (expected: a duration below 292 years)");
    }
    return Duration.ofNanos(negative ? -nanos : nanos);
  }

  /** Formats a duration the way Go prints it ({@code 1m30s}, {@code 300ms}). */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    long nanos = d.toNanos();
    if (nanos % 1_000_000_000L != 0) {
      return nanos % 1_000_000L == 0 ? (nanos / 1_000_000L) + "ms" : nanos + "ns";
    }
    long seconds = d.getSeconds();
    StringBuilder sb = new StringBuilder();
    if (seconds >= 3600) {
      sb.append(seconds / 3600).append('h');
      seconds %= 3600;
      sb.append(seconds / 60).append('m');
      seconds %= 60;
    } else if (seconds >= 60) {
      sb.append(seconds / 60).append('m');
      seconds %= 60;
    }
    return sb.append(seconds).append('s').toString();
  }

  private static IllegalArgumentException bad(String text) {
    return new IllegalArgumentException("\"" + text + "\" (expected: a duration such as 90s, 1m30s or 500ms)");
  }
}
