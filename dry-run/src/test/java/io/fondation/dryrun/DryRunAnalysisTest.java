package io.fondation.dryrun;

import static io.fondation.dryrun.FixtureRepository.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fondation.clibridge.output.CollectedOutput;
import io.fondation.clibridge.output.OutputCollector;
import io.fondation.clibridge.output.OutputLimits;
import io.fondation.clibridge.progress.ProgressParser;
import io.fondation.shared.Progress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** The dry-run analyzer's steps on small real directories, in-process. */
class DryRunAnalysisTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path temp;

    @Test
    void aSingleSourceTreeIsSplitIntoItsPackages() {
        write(temp, "README.md", "# App\n");
        write(temp, "src/main/java/com/acme/app/App.java", "package com.acme.app;\nclass App {}\n");
        write(
                temp,
                "src/main/java/com/acme/app/api/Api.java",
                "package com.acme.app.api;\nimport com.acme.app.core.Core;\nclass Api {}\n");
        write(temp, "src/main/java/com/acme/app/core/Core.java", "package com.acme.app.core;\npublic class Core {}\n");
        write(temp, "src/main/java/com/acme/app/db/Db.java", "package com.acme.app.db;\nclass Db {}\n");
        write(temp, "src/test/java/com/acme/app/AppTest.java", "package com.acme.app;\nclass AppTest {}\n");

        List<Topic> abstractions = new TopicBuilder().build(scan(temp));

        assertThat(abstractions)
                .extracting(Topic::name)
                .containsExactly("Project Root", "App Core Files", "API", "Core", "DB", "App Tests");
        assertThat(abstractions)
                .extracting(Topic::directory)
                .containsExactly(
                        "",
                        "src/main/java/com/acme/app",
                        "src/main/java/com/acme/app/api",
                        "src/main/java/com/acme/app/core",
                        "src/main/java/com/acme/app/db",
                        "src/test/java/com/acme/app");
        assertThat(abstractions.get(1).files())
                .extracting(SourceFile::path)
                .containsExactly("src/main/java/com/acme/app/App.java");
        assertThat(abstractions).extracting(Topic::index).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void beyondTenGroupsTheSmallestAreMergedIntoOtherFiles() {
        for (int d = 1; d <= 12; d++) {
            for (int f = 0; f < d; f++) {
                write(temp, "dir" + (char) ('a' + d - 1) + "/file" + f + ".txt", "line\n");
            }
        }
        List<Topic> abstractions = new TopicBuilder().build(scan(temp));

        assertThat(abstractions).hasSize(TopicBuilder.MAX_ABSTRACTIONS);
        Topic other = abstractions.get(abstractions.size() - 1);
        assertThat(other.name()).isEqualTo("Other Files");
        assertThat(other.kind()).isEqualTo(Topic.Kind.OTHER);
        // The three smallest directories (1, 2 and 3 files) were merged.
        assertThat(other.files()).hasSize(6);
        assertThat(Facts.directoriesOf(other)).containsExactly("dira/", "dirb/", "dirc/");
        int total = abstractions.stream().mapToInt(a -> a.files().size()).sum();
        assertThat(total).isEqualTo(78);
    }

    @Test
    void importsOfPythonGoCAndTypeScriptBecomeDependencies() {
        write(temp, "go.mod", "module example.com/shop\n\ngo 1.22\n");
        write(
                temp,
                "cmd/server/main.go",
                "package main\n\nimport (\n\t\"fmt\"\n\t\"example.com/shop/internal/store\"\n)\n");
        write(temp, "internal/store/store.go", "package store\n");
        write(temp, "app/main.py", "from lib.util import helper\nimport lib.other\nimport os\n");
        write(temp, "lib/util.py", "def helper():\n    pass\n");
        write(temp, "lib/other.py", "X = 1\n");
        write(temp, "native/main.c", "#include <stdio.h>\n#include \"util/str.h\"\n");
        write(temp, "util/str.h", "int len(const char *s);\n");
        write(temp, "web/app.ts", "import { api } from '../client/api';\nimport React from 'react';\n");
        write(temp, "client/api.ts", "export const api = 1;\n");

        RepositoryInventory inventory = scan(temp);
        List<Topic> abstractions = new TopicBuilder().build(inventory);
        List<Link> relationships = new LinkFinder(inventory, abstractions).find();

        assertThat(inventory.goModule()).isEqualTo("example.com/shop");
        assertThat(edges(abstractions, relationships))
                .contains(
                        "App -Depends on-> Lib (2)",
                        "Server -Depends on-> Store (1)",
                        "Native -Depends on-> Util (1)",
                        "Web -Depends on-> Client (1)");
        assertThat(relationships).filteredOn(Link::isDependency).hasSize(4);
    }

    @Test
    void chapterOrderFollowsDependenciesAndBreaksCycles() {
        write(temp, "README.md", "# Cycle\n");
        write(temp, "alpha/A.java", "package p.alpha;\nimport p.beta.B;\nclass A {}\n");
        write(temp, "beta/B.java", "package p.beta;\nimport p.alpha.A;\nimport p.alpha.A2;\nclass B {}\n");
        write(temp, "gamma/C.java", "package p.gamma;\nimport p.alpha.A;\nclass C {}\n");
        write(temp, "delta/D.java", "package p.delta;\nclass D {}\n");
        RepositoryInventory inventory = scan(temp);
        List<Topic> abstractions = new TopicBuilder().build(inventory);
        List<Link> relationships = new LinkFinder(inventory, abstractions).find();

        ChapterPlan plan = new ChapterOrderPlanner().plan(abstractions, relationships);

        List<String> order =
                plan.chapters().stream().map(c -> c.abstraction().name()).toList();
        assertThat(order).containsExactlyInAnyOrder("Project Root", "Alpha", "Beta", "Gamma", "Delta");
        assertThat(order.get(0)).isEqualTo("Project Root");
        assertThat(order.indexOf("Alpha")).isLessThan(order.indexOf("Gamma"));
        assertThat(plan.chapters()).extracting(ChapterPlan.Chapter::number).containsExactly(1, 2, 3, 4, 5);
        String alphaReasoning = plan.chapters().get(order.indexOf("Alpha")).reasoning();
        String betaReasoning = plan.chapters().get(order.indexOf("Beta")).reasoning();
        assertThat(alphaReasoning + betaReasoning).contains("cycle");
        assertThat(plan.chapters()).extracting(ChapterPlan.Chapter::slug).doesNotHaveDuplicates();
    }

    @Test
    void scanningIsBoundedAndNeverFollowsLinksOutOfTheRepository() throws IOException {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        write(outside, "secret.txt", "not part of the repository\n");
        Path repo = Files.createDirectories(temp.resolve("repo"));
        for (int i = 0; i < 5; i++) {
            write(repo, "f" + i + ".txt", "x\n");
        }
        Files.createSymbolicLink(repo.resolve("link"), outside);
        Files.createSymbolicLink(repo.resolve("file-link.txt"), outside.resolve("secret.txt"));

        RepositoryInventory all = new RepositoryScanner(ScanLimits.DEFAULT).scan(repo, null);
        assertThat(all.files())
                .extracting(SourceFile::path)
                .containsExactly("f0.txt", "f1.txt", "f2.txt", "f3.txt", "f4.txt");
        assertThat(all.limitReached()).isFalse();

        RepositoryInventory bounded =
                new RepositoryScanner(new ScanLimits(3, 32, 1024, 1 << 20, 12, 10)).scan(repo, null);
        assertThat(bounded.files()).hasSize(3);
        assertThat(bounded.limitReached()).isTrue();

        RepositoryInventory budget = new RepositoryScanner(new ScanLimits(100, 32, 1024, 4, 12, 10)).scan(repo, null);
        assertThat(budget.files()).hasSize(5);
        assertThat(budget.files()).filteredOn(f -> !f.wasRead()).isNotEmpty();
    }

    @Test
    void countsLinesAndKeepsFirstLinesAndImports() {
        write(temp, "A.java", "package x;\r\nimport y.Z;\r\n\r\nclass A {}\r\n");
        write(temp, "empty.txt", "");
        write(temp, "no-newline.txt", "one\ntwo");
        RepositoryInventory inventory = scan(temp);
        SourceFile java = inventory.files().get(0);
        assertThat(java.lines()).isEqualTo(4);
        assertThat(java.head()).containsExactly("package x;", "import y.Z;", "", "class A {}");
        assertThat(java.references()).containsExactly("import y.Z;");
        assertThat(java.declaredPackage()).isEqualTo("x");
        assertThat(inventory.files().get(1).lines()).isZero();
        assertThat(inventory.files().get(2).lines()).isEqualTo(2);
    }

    @Test
    void namesWithYamlAndMarkdownSpecialCharactersStayValid() {
        write(temp, "README.md", "key: \"quoted\" # not a comment\n\n- list? no | pipe `tick` ```fence```\n");
        write(temp, "we: ird #dir/\"quote\".md", "# T\n````\ncode\n````\n");
        write(temp, "we: ird #dir/a|b.txt", "text\n");
        write(temp, "other/x.txt", "x\n");
        Path out = temp.resolve(".out");
        Result result = analyze(temp, out);

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        CollectedOutput collected = new OutputCollector(OutputLimits.defaults()).collect(out);
        assertThat(collected.documents()).isNotEmpty();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> step1 =
                (List<Map<String, Object>>) new Yaml().load(read(out.resolve("step1_abstractions.yaml")));
        assertThat(step1).extracting(m -> m.get("name")).contains("We: Ird #dir");
        assertThat(step1.get(0).get("description").toString()).contains("key: 'quoted' # not a comment");
    }

    @Test
    void anEmptyRepositoryFailsWithTheReason() {
        Path repo = FixtureRepository.empty(temp.resolve("empty"));
        Result result = analyze(repo, temp.resolve("out"));
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stdout())
                .contains("\"msg\":\"[FONDATION_STEP_1/6] Extracting core abstractions from codebase\"")
                .contains("\"level\":\"error\"")
                .contains("\"msg\":\"Analysis failed\"");
        assertThat(result.stderr()).contains("no text files to analyse");
    }

    @Test
    void badArgumentsFailWithUsageAndHelpSucceeds() {
        Result unknown = run("analyze", temp.toString(), "--bogus");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.stderr()).contains("unknown option '--bogus'").contains("Usage: DryRunAnalyzer analyze");
        Result missing = run("analyze");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr()).contains("missing the repository path");
        Result noValue = run("analyze", temp.toString(), "--output-dir");
        assertThat(noValue.stderr()).contains("option '--output-dir' needs a value");
        Result help = run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).contains("without a language model");
    }

    @Test
    void theOutputDirectoryDefaultsToTheClisAndIsNotScanned() throws IOException {
        write(temp, "main.py", "print('hi')\n");
        Result first = run("analyze", temp.toString());
        assertThat(first.exitCode()).as(first.stderr()).isZero();
        Path defaultOut = temp.resolve(".claude-tutorial-output");
        assertThat(defaultOut.resolve("step1_abstractions.yaml")).exists();
        Result second = run("analyze", temp.toString(), "--profile", "dev", "--overwrite");
        assertThat(second.exitCode()).isZero();
        assertThat(read(defaultOut.resolve("step1_abstractions.yaml")))
                .doesNotContain(".claude-tutorial-output")
                .contains("main.py");
        try (var files = Files.list(defaultOut.resolve("chapters"))) {
            assertThat(files.count()).isEqualTo(1);
        }
    }

    @Test
    void onATerminalTheStepsUseTheTtyFormThatTheParserAlsoReads() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        new StepReporter(out, CLOCK, true).step(2);
        String line = bytes.toString(StandardCharsets.UTF_8).strip();
        assertThat(line).isEqualTo("[2/6] Analyze: Analyzing relationships between components");
        assertThat(new ProgressParser().parse(line)).map(Progress::step).contains(2);
    }

    @Test
    void slugsAreShortAsciiAndNeverEmpty() {
        assertThat(Slugs.of("CLI Bridge (src/x)")).isEqualTo("cli_bridge_src_x");
        assertThat(Slugs.of("Écoles & Données")).isEqualTo("ecoles_donnees");
        assertThat(Slugs.of("***")).isEqualTo("section");
        assertThat(Slugs.of("a".repeat(100))).hasSize(Slugs.MAX_LENGTH);
        assertThat(TopicBuilder.titleCase("cli-bridge")).isEqualTo("CLI Bridge");
        assertThat(TopicBuilder.titleCase("jobQueue_v2")).isEqualTo("Job Queue V2");
    }

    @Test
    void theCommandIsTheCurrentJavaWithAnAbsoluteClassPath() {
        List<String> argv = DryRunCommand.argv(Path.of("repo"), Path.of("out"));
        assertThat(Path.of(argv.get(0))).isAbsolute().isExecutable();
        assertThat(argv.subList(1, argv.size()))
                .containsExactly(
                        "-cp",
                        argv.get(2),
                        DryRunAnalyzer.class.getName(),
                        "analyze",
                        Path.of("repo").toAbsolutePath().toString(),
                        "--output-dir",
                        Path.of("out").toAbsolutePath().toString());
        for (String entry : argv.get(2).split(java.io.File.pathSeparator)) {
            assertThat(Path.of(entry)).isAbsolute();
        }
        assertThatThrownBy(() -> DryRunCommand.argv(null, Path.of("x"))).isInstanceOf(NullPointerException.class);
    }

    private static RepositoryInventory scan(Path root) {
        return new RepositoryScanner(ScanLimits.DEFAULT).scan(root, null);
    }

    private static List<String> edges(List<Topic> abstractions, List<Link> relationships) {
        return relationships.stream()
                .map(r -> abstractions.get(r.from()).name() + " -" + r.label() + "-> "
                        + abstractions.get(r.to()).name() + " (" + r.count() + ")")
                .toList();
    }

    record Result(int exitCode, String stdout, String stderr) {}

    private static Result analyze(Path repo, Path out) {
        return run("analyze", repo.toString(), "--output-dir", out.toString());
    }

    private static Result run(String... args) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = DryRunAnalyzer.run(
                args,
                Map.of(),
                new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8),
                CLOCK,
                false);
        return new Result(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
