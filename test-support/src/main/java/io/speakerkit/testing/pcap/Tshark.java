package io.speakerkit.testing.pcap;

import io.speakerkit.testing.Commands;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs Wireshark's dissectors ({@code tshark}) over a capture file and reports what they found wrong: malformed
 * packets ({@code _ws.malformed}) and expert items of severity warning or error. It also counts the BGP messages,
 * capabilities and path attributes the BGP dissector saw, so a test can check that the dissector really looked at
 * what the test meant it to look at.
 *
 * <p>TCP reassembly is forced on ({@code -o tcp.desegment_tcp_streams:TRUE}), so messages that span segments are
 * dissected whole. Needs no privileges: it only reads a file. A missing {@code tshark} fails (never skips) the test.
 */
public final class Tshark {

  /** Expert severities as Wireshark encodes them ({@code epan/proto.h}: PI_CHAT ... PI_ERROR). */
  public static final int SEVERITY_CHAT = 0x00200000;
  public static final int SEVERITY_NOTE = 0x00400000;
  public static final int SEVERITY_WARN = 0x00600000;
  public static final int SEVERITY_ERROR = 0x00800000;

  private static final String[] FIELDS = {
    "frame.number",
    "_ws.expert.severity",
    "_ws.expert.message",
    "_ws.malformed",
    "bgp.type",
    "bgp.cap.type",
    "bgp.update.path_attribute.type_code",
  };

  private Tshark() {}

  /** One expert item (or malformed-packet mark) in one frame. */
  public record Problem(int frame, String severity, String message) {
    @Override
    public String toString() {
      return "frame " + frame + ": " + severity + ": " + message;
    }
  }

  /**
   * What tshark found in one capture.
   *
   * @param frames number of frames dissected
   * @param malformed frames the dissector marked malformed
   * @param problems expert items of severity warning or error (malformed packets included)
   * @param messageTypes BGP message type code to the number of messages of that type
   * @param capabilityCodes every BGP capability code seen in an OPEN
   * @param attributeTypeCodes every path attribute type code seen in an UPDATE
   * @param expertSummary tshark's {@code -z expert} table, for failure messages
   */
  public record Report(
      Path pcap,
      int frames,
      List<Problem> malformed,
      List<Problem> problems,
      Map<Integer, Integer> messageTypes,
      Set<Integer> capabilityCodes,
      Set<Integer> attributeTypeCodes,
      String expertSummary) {

    /** Whether no frame is malformed and no expert item is a warning or an error. */
    public boolean clean() {
      return malformed.isEmpty() && problems.isEmpty();
    }

    /** Throws with every problem and tshark's expert summary unless {@link #clean()}. */
    public Report assertClean() {
      if (!clean()) {
        StringBuilder sb = new StringBuilder("tshark found problems in " + pcap + ":\n");
        List<Problem> all = new ArrayList<>(malformed);
        all.addAll(problems);
        all.stream().limit(50).forEach(p -> sb.append("  ").append(p).append('\n'));
        if (all.size() > 50) {
          sb.append("  ... ").append(all.size() - 50).append(" more\n");
        }
        sb.append(expertSummary);
        throw new AssertionError(sb.toString());
      }
      return this;
    }

    /** The number of BGP messages of {@code type} (1 OPEN, 2 UPDATE, 3 NOTIFICATION, 4 KEEPALIVE, 5 ROUTE-REFRESH). */
    public int messages(int type) {
      return messageTypes.getOrDefault(type, 0);
    }
  }

  /**
   * Wireshark preference that makes the BGP dissector read every AS_PATH/AGGREGATOR with 4-octet AS numbers. By
   * default (tshark 4.0) it guesses the AS size per attribute heuristically, NOT from the OPENs, and a guess can
   * mislabel a valid path; a session that negotiated 4-octet AS should be dissected with this. (Even so, tshark 4.0
   * does not flag an AS_PATH whose segments overrun the attribute: it reads on into the next attribute.)
   */
  public static final String FOUR_OCTET_AS = "bgp.asn_len:4 octet";

  /**
   * Dissects {@code pcap} (BGP on TCP port 179) and reports what tshark found.
   *
   * @param preferences extra Wireshark preferences as {@code name:value}, e.g. {@link #FOUR_OCTET_AS}
   */
  public static Report dissect(Path pcap, String... preferences) {
    if (!Commands.available("tshark")) {
      throw new IllegalStateException("tshark is needed (Debian package tshark)");
    }
    List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(),
        "-o", "tcp.desegment_tcp_streams:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
        "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|", "-E", "separator=/t"));
    List<String> prefs = new ArrayList<>();
    for (String p : preferences) {
      prefs.add("-o");
      prefs.add(p);
    }
    command.addAll(prefs);
    for (String field : FIELDS) {
      command.add("-e");
      command.add(field);
    }
    Commands.Result fields = Commands.run(Duration.ofMinutes(5), command).check();
    List<String> expertCommand = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(),
        "-o", "tcp.desegment_tcp_streams:TRUE", "-q", "-z", "expert"));
    expertCommand.addAll(prefs);
    Commands.Result expert = Commands.run(Duration.ofMinutes(5), expertCommand).check();

    int frames = 0;
    List<Problem> malformed = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    Map<Integer, Integer> types = new TreeMap<>();
    Set<Integer> caps = new TreeSet<>();
    Set<Integer> attrs = new TreeSet<>();
    for (String line : fields.stdout().split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      String[] col = line.split("\t", -1);
      int frame = Integer.parseInt(col[0]);
      frames++;
      List<String> severities = values(col, 1);
      List<String> messages = values(col, 2);
      for (int i = 0; i < severities.size(); i++) {
        int severity = Integer.parseInt(severities.get(i));
        String message = i < messages.size() ? messages.get(i) : "";
        if (severity >= SEVERITY_WARN) {
          problems.add(new Problem(frame, severity >= SEVERITY_ERROR ? "error" : "warning", message));
        }
      }
      if (!values(col, 3).isEmpty()) {
        malformed.add(new Problem(frame, "malformed", String.join(" ", values(col, 3))));
      }
      for (String t : values(col, 4)) {
        types.merge(Integer.parseInt(t), 1, Integer::sum);
      }
      for (String c : values(col, 5)) {
        caps.add(Integer.parseInt(c));
      }
      for (String a : values(col, 6)) {
        attrs.add(Integer.parseInt(a));
      }
    }
    return new Report(pcap, frames, List.copyOf(malformed), List.copyOf(problems),
        Collections.unmodifiableMap(types), Collections.unmodifiableSet(caps), Collections.unmodifiableSet(attrs),
        expert.stdout());
  }

  private static List<String> values(String[] col, int i) {
    if (i >= col.length || col[i].isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String v : col[i].split("\\|")) {
      if (!v.isEmpty()) {
        out.add(v);
      }
    }
    return out;
  }
}
