package io.fondation.worker.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fondation.clibridge.env.EnvironmentPolicy;
import io.fondation.worker.config.ConfigVariable;
import io.fondation.worker.config.ConfigVariables;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/configuration.md} and {@code docker/worker.env.example} say what the code reads: the variables of
 * {@link ConfigVariables} (the catalog {@code --help} is printed from, see {@code CliUsageTest}), no more and no
 * fewer, with the catalog's defaults; and the documentation's tables render (every row has its header's cells).
 */
class ConfigurationDocsTest {

    private static final Path CONFIGURATION = DeploymentFilesTest.ROOT.resolve("docs/configuration.md");
    private static final Pattern CODE = Pattern.compile("`([A-Z][A-Z0-9_]*\\*?)`");
    /** A default the files can state as one value: a number or a word, without "(dev: ...)" remarks. */
    private static final Pattern PLAIN_DEFAULT = Pattern.compile("[A-Za-z0-9.:/_-]+");

    @Test
    void theDocumentedVariablesAreTheCatalogs() throws IOException {
        Map<String, List<String>> rows = documentedRows();
        Set<String> catalog = names();

        assertThat(rows.keySet().stream().filter(name -> !name.endsWith("*")))
                .as("variables docs/configuration.md documents")
                .containsExactlyInAnyOrderElementsOf(catalog);
        // Prefixes are the analyzer's pass-through, not worker settings.
        assertThat(rows.keySet().stream().filter(name -> name.endsWith("*")))
                .allSatisfy(
                        prefix -> assertThat(EnvironmentPolicy.DEFAULT_ALLOWED).contains(prefix));
    }

    @Test
    void theDocumentedDefaultsAreTheCatalogs() throws IOException {
        Map<String, List<String>> rows = documentedRows();
        for (ConfigVariable variable : ConfigVariables.all()) {
            // "5000 (dev: 200)": the default is the value before the remark.
            Matcher leading = Pattern.compile("(" + PLAIN_DEFAULT.pattern() + ")( \\(.*\\))?")
                    .matcher(variable.defaultText());
            if (!leading.matches()) {
                continue;
            }
            String plain = leading.group(1);
            List<String> cells = rows.get(variable.name());
            assertThat(cells).as(variable.name()).hasSizeGreaterThan(1);
            assertThat(cells.get(1))
                    .as("the default of " + variable.name() + " in docs/configuration.md")
                    .containsPattern("(^|[^0-9A-Za-z])" + Pattern.quote(plain) + "($|[^0-9A-Za-z])");
        }
    }

    @Test
    void theEnvExampleNamesEveryVariableOnceWithItsDefault() throws IOException {
        Map<String, String> example = DeploymentFilesTest.envExample();
        assertThat(example.keySet()).as("worker.env.example").containsExactlyInAnyOrderElementsOf(names());
        List<String> lines = Files.readAllLines(DeploymentFilesTest.DOCKER.resolve("worker.env.example"));
        for (ConfigVariable variable : ConfigVariables.all()) {
            assertThat(lines.stream().filter(line -> line.matches("#?" + variable.name() + "=.*")))
                    .as(variable.name() + " appears once")
                    .hasSize(1);
            String plain = variable.defaultText();
            String commented = lines.stream()
                    .filter(line -> line.startsWith("#" + variable.name() + "="))
                    .map(line -> line.substring(variable.name().length() + 2))
                    .findFirst()
                    .orElse("");
            if (PLAIN_DEFAULT.matcher(plain).matches() && !commented.isEmpty()) {
                assertThat(commented)
                        .as("a commented-out line shows the default of " + variable.name())
                        .isEqualTo(plain);
            }
        }
    }

    @Test
    void everyTableRowHasTheCellsOfItsHeader() throws IOException {
        for (Path doc : markdownFiles()) {
            List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
            int header = -1;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (!line.startsWith("|")) {
                    header = -1;
                    continue;
                }
                String where = doc.getFileName() + ":" + (i + 1) + ": " + line;
                assertThat(line).as(where).endsWith("|");
                if (header < 0) {
                    header = cells(line).size();
                    assertThat(i + 1 < lines.size() && lines.get(i + 1).matches("\\|( *:?-+:? *\\|)+"))
                            .as("a header row is followed by its separator: " + where)
                            .isTrue();
                    assertThat(i == 0 || lines.get(i - 1).isBlank())
                            .as("a blank line before the table: " + where)
                            .isTrue();
                }
                assertThat(cells(line)).as(where).hasSize(header);
            }
        }
    }

    // ------------------------------------------------------------------ reading

    private static Set<String> names() {
        return ConfigVariables.all().stream().map(ConfigVariable::name).collect(Collectors.toSet());
    }

    /** Each variable named in the first column of a table of docs/configuration.md, with that row's cells. */
    private static Map<String, List<String>> documentedRows() throws IOException {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(CONFIGURATION, StandardCharsets.UTF_8)) {
            if (!line.startsWith("| `")) {
                continue;
            }
            List<String> cells = cells(line);
            Matcher name = CODE.matcher(cells.get(0));
            while (name.find()) {
                assertThat(rows.put(name.group(1), cells))
                        .as(name.group(1) + " is documented once")
                        .isNull();
            }
        }
        return rows;
    }

    /** The cells of a table row: split at pipes that are not escaped ({@code \|}), even inside code spans (GFM). */
    private static List<String> cells(String row) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        String inner = row.substring(1, row.length() - (row.endsWith("|") && row.length() > 1 ? 1 : 0));
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '\\' && i + 1 < inner.length() && inner.charAt(i + 1) == '|') {
                cell.append('|');
                i++;
            } else if (c == '|') {
                cells.add(cell.toString().trim());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        cells.add(cell.toString().trim());
        return cells;
    }

    private static List<Path> markdownFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(DeploymentFilesTest.ROOT.resolve("README.md"));
        try (var docs = Files.list(DeploymentFilesTest.ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }
}
