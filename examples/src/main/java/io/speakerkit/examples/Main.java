package io.speakerkit.examples;

import io.speakerkit.allocator.ServiceRequest;
import io.speakerkit.examples.manifest.ManifestException;
import io.speakerkit.examples.manifest.ManifestMapper;
import io.speakerkit.examples.manifest.ManifestSet;
import io.speakerkit.speaker.SpeakerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar speakerkit.jar <command>}: the runnable examples. Exit codes: 0 success, 1 runtime failure,
 * 2 usage or invalid manifests.
 */
public final class Main {

  static final String USAGE = """
      usage: java -jar speakerkit.jar <command> [options]

      commands:
        speaker    run a speaker from MetalLB manifests (IPAddressPool, BGPPeer, BGPAdvertisement,
                   BFDProfile, Community, Secret, Service)

      'java -jar speakerkit.jar <command> --help' describes a command's options.
      """;

  static final String SPEAKER_USAGE = """
      usage: java -jar speakerkit.jar speaker --config FILE [--config FILE ...] [options]

        --config FILE        multi-document YAML of MetalLB objects and LoadBalancer Services (repeatable)
        --check              validate the manifests, print what would run, and exit
        --node-name NAME     this node's name, matched by nodeSelectors (default: the host name)
        --node-label K=V     a label of this node, matched by nodeSelectors (repeatable)
        --lb-class CLASS     serve only Services of this loadBalancerClass (default: Services without one)
        --capture FILE       write every BGP and BFD packet sent and received to a pcap file
        --help               this text

      Invalid manifests exit with status 2 and a message naming the object, the field and the reason.
      """;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      (args.length == 0 ? err : out).print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    return switch (args[0]) {
      case "speaker" -> speaker(rest, out, err);
      default -> {
        err.println("unknown command: " + args[0]);
        err.print(USAGE);
        yield 2;
      }
    };
  }

  private static int speaker(String[] args, PrintStream out, PrintStream err) {
    List<Path> configs = new ArrayList<>();
    boolean check = false;
    String lbClass = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--help", "-h" -> {
          out.print(SPEAKER_USAGE);
          return 0;
        }
        case "--config" -> {
          if (i + 1 >= args.length) {
            err.println("--config needs a file");
            return 2;
          }
          configs.add(Path.of(args[++i]));
        }
        case "--check" -> check = true;
        case "--lb-class" -> {
          if (i + 1 >= args.length) {
            err.println("--lb-class needs a class name");
            return 2;
          }
          lbClass = args[++i];
        }
        case "--node-name", "--node-label", "--capture" -> i++;
        default -> {
          err.println("unknown option: " + args[i]);
          err.print(SPEAKER_USAGE);
          return 2;
        }
      }
    }
    if (configs.isEmpty()) {
      err.println("speaker: at least one --config FILE is required");
      err.print(SPEAKER_USAGE);
      return 2;
    }
    for (Path p : configs) {
      if (!Files.isReadable(p)) {
        err.println("speaker: cannot read " + p);
        return 2;
      }
    }
    ManifestSet set;
    SpeakerConfig config;
    List<ServiceRequest> requests;
    try {
      set = ManifestSet.read(configs, w -> err.println("warning: " + w));
      config = ManifestMapper.toConfig(set);
      requests = ManifestMapper.requests(set, lbClass);
    } catch (ManifestException e) {
      err.println("invalid manifest: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("speaker: " + e.getMessage());
      return 1;
    }
    if (!check) {
      err.println("speaker: running a speaker needs the speaker module, which is not built yet;"
          + " use --check to validate manifests");
      return 1;
    }
    out.println("pools: " + config.pools().size() + ", peers: " + config.peers().size() + ", advertisements: "
        + config.advertisements().size() + ", bfd profiles: " + config.bfdProfiles().size() + ", services: "
        + requests.size());
    return 0;
  }
}
