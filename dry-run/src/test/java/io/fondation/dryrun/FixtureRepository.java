package io.fondation.dryrun;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;

/**
 * A small multi-module repository on disk, committed with JGit: Java modules {@code core} and
 * {@code api} (api imports core), a TypeScript {@code web} directory, {@code docs}, a README and a
 * build file naming the modules, and the noise the analyzer must skip (a binary file,
 * {@code node_modules}, {@code target}).
 */
public final class FixtureRepository {

    private FixtureRepository() {}

    /** Writes the files under {@code dir} and commits them. */
    public static Path create(Path dir) {
        write(
                dir,
                "README.md",
                "# Demo Shop\n\nA tiny shop used to test the dry-run analyzer.\n\nModules: core, api and web.\n");
        write(
                dir,
                "pom.xml",
                "<project>\n  <modules>\n    <module>core</module>\n    <module>api</module>\n  </modules>\n</project>\n");
        write(
                dir,
                "core/src/main/java/com/acme/core/Order.java",
                String.join(
                        "\n",
                        "package com.acme.core;",
                        "",
                        "/** An order. */",
                        "public record Order(String id, long cents) {",
                        "    public boolean isFree() {",
                        "        return cents == 0;",
                        "    }",
                        "}",
                        ""));
        write(
                dir,
                "core/src/main/java/com/acme/core/Money.java",
                String.join(
                        "\n",
                        "package com.acme.core;",
                        "",
                        "public final class Money {",
                        "    private Money() {}",
                        "}",
                        ""));
        write(
                dir,
                "api/src/main/java/com/acme/api/OrderController.java",
                String.join(
                        "\n",
                        "package com.acme.api;",
                        "",
                        "import com.acme.core.Order;",
                        "import com.acme.core.Money;",
                        "import java.util.List;",
                        "",
                        "public final class OrderController {",
                        "    List<Order> orders() {",
                        "        return List.of();",
                        "    }",
                        "}",
                        ""));
        write(
                dir,
                "web/src/app.ts",
                "import { format } from '../lib/format';\n\nexport const title = format('Demo Shop');\n");
        write(dir, "web/lib/format.ts", "export function format(s: string): string {\n  return s.trim();\n}\n");
        write(dir, "docs/guide.md", "# Guide\n\nHow to run the shop.\n");
        try {
            Files.createDirectories(dir.resolve("assets"));
            Files.write(dir.resolve("assets/logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13});
            Files.write(dir.resolve("assets/data.txt"), new byte[] {'a', 0, 'b'});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        write(dir, "node_modules/left-pad/index.js", "module.exports = function leftPad() {};\n");
        write(dir, "target/classes/Leftover.txt", "build output\n");
        commit(dir);
        return dir;
    }

    /** A git repository with one commit and no files at all. */
    public static Path empty(Path dir) {
        try (Git git =
                Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            PersonIdent who = new PersonIdent("Test", "test@example.com");
            git.commit()
                    .setAllowEmpty(true)
                    .setMessage("empty")
                    .setAuthor(who)
                    .setCommitter(who)
                    .setSign(false)
                    .call();
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
        return dir;
    }

    public static void write(Path dir, String relative, String content) {
        try {
            Path file = dir.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code git init} (branch main) if needed, add everything, commit. */
    public static void commit(Path dir) {
        try (Git git = Files.isDirectory(dir.resolve(".git"))
                ? Git.open(dir.toFile())
                : Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("Test", "test@example.com");
            git.commit()
                    .setMessage("fixture")
                    .setAuthor(who)
                    .setCommitter(who)
                    .setSign(false)
                    .call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GitAPIException e) {
            throw new IllegalStateException(e);
        }
    }
}
