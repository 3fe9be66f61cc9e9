package io.speakerkit.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every {@code ```java} block of the README against the project's classes, so the snippets cannot rot.
 * They are compiled, not run: they name a router address that is not the test's.
 */
class ReadmeSnippetsTest {

  private static final String IMPORTS = """
      import io.speakerkit.allocator.*;
      import io.speakerkit.bfd.*;
      import io.speakerkit.bgp.wire.*;
      import io.speakerkit.speaker.*;
      import io.speakerkit.timers.*;
      import java.net.*;
      import java.time.*;
      import java.util.*;
      """;

  @Test
  void readmeJavaSnippets_compile(@TempDir Path out) throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    List<JavaFileObject> sources = new ArrayList<>();
    int n = 0;
    while (m.find()) {
      String name = "ReadmeSnippet" + n++;
      String code = IMPORTS + "class " + name + " {\n  void run() throws Exception {\n" + m.group(1) + "\n  }\n}\n";
      sources.add(new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
          return code;
        }
      });
    }
    assertFalse(sources.isEmpty(), "the README has Java snippets");
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StringWriter log = new StringWriter();
    try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
      boolean ok = compiler.getTask(log, files, diagnostics,
          List.of("-classpath", System.getProperty("java.class.path"), "-d", out.toString(), "-proc:none"),
          null, sources).call();
      assertTrue(ok, () -> "README snippets do not compile:\n" + diagnostics.getDiagnostics() + "\n" + log);
    }
  }
}
