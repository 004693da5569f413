package io.fondation.dryrun;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** File-name rules: which files are binary, which language a text file is in. */
final class Languages {

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("java", "Java"),
            Map.entry("kt", "Kotlin"),
            Map.entry("kts", "Kotlin"),
            Map.entry("scala", "Scala"),
            Map.entry("groovy", "Groovy"),
            Map.entry("gradle", "Gradle"),
            Map.entry("js", "JavaScript"),
            Map.entry("mjs", "JavaScript"),
            Map.entry("cjs", "JavaScript"),
            Map.entry("jsx", "JavaScript"),
            Map.entry("ts", "TypeScript"),
            Map.entry("tsx", "TypeScript"),
            Map.entry("mts", "TypeScript"),
            Map.entry("cts", "TypeScript"),
            Map.entry("vue", "Vue"),
            Map.entry("svelte", "Svelte"),
            Map.entry("py", "Python"),
            Map.entry("pyi", "Python"),
            Map.entry("go", "Go"),
            Map.entry("rs", "Rust"),
            Map.entry("rb", "Ruby"),
            Map.entry("php", "PHP"),
            Map.entry("c", "C"),
            Map.entry("h", "C"),
            Map.entry("cc", "C++"),
            Map.entry("cpp", "C++"),
            Map.entry("cxx", "C++"),
            Map.entry("hpp", "C++"),
            Map.entry("hh", "C++"),
            Map.entry("cs", "C#"),
            Map.entry("fs", "F#"),
            Map.entry("swift", "Swift"),
            Map.entry("m", "Objective-C"),
            Map.entry("dart", "Dart"),
            Map.entry("lua", "Lua"),
            Map.entry("ex", "Elixir"),
            Map.entry("exs", "Elixir"),
            Map.entry("erl", "Erlang"),
            Map.entry("hs", "Haskell"),
            Map.entry("clj", "Clojure"),
            Map.entry("r", "R"),
            Map.entry("sh", "Shell"),
            Map.entry("bash", "Shell"),
            Map.entry("zsh", "Shell"),
            Map.entry("ps1", "PowerShell"),
            Map.entry("sql", "SQL"),
            Map.entry("md", "Markdown"),
            Map.entry("markdown", "Markdown"),
            Map.entry("rst", "reStructuredText"),
            Map.entry("adoc", "AsciiDoc"),
            Map.entry("txt", "Text"),
            Map.entry("yaml", "YAML"),
            Map.entry("yml", "YAML"),
            Map.entry("json", "JSON"),
            Map.entry("toml", "TOML"),
            Map.entry("xml", "XML"),
            Map.entry("properties", "Properties"),
            Map.entry("ini", "INI"),
            Map.entry("cfg", "INI"),
            Map.entry("conf", "Config"),
            Map.entry("html", "HTML"),
            Map.entry("htm", "HTML"),
            Map.entry("css", "CSS"),
            Map.entry("scss", "SCSS"),
            Map.entry("less", "Less"),
            Map.entry("proto", "Protocol Buffers"),
            Map.entry("graphql", "GraphQL"),
            Map.entry("tf", "Terraform"),
            Map.entry("csv", "CSV"));

    private static final Map<String, String> BY_NAME = Map.of(
            "dockerfile",
            "Dockerfile",
            "makefile",
            "Makefile",
            "cmakelists.txt",
            "CMake",
            "gemfile",
            "Ruby",
            "rakefile",
            "Ruby",
            "jenkinsfile",
            "Groovy",
            "mvnw",
            "Shell",
            "gradlew",
            "Shell");

    private static final Set<String> BINARY_EXTENSIONS = Set.of(
            "png",
            "jpg",
            "jpeg",
            "gif",
            "bmp",
            "ico",
            "icns",
            "webp",
            "tif",
            "tiff",
            "psd",
            "svgz",
            "pdf",
            "doc",
            "docx",
            "xls",
            "xlsx",
            "ppt",
            "pptx",
            "odt",
            "zip",
            "gz",
            "tgz",
            "bz2",
            "xz",
            "7z",
            "rar",
            "tar",
            "zst",
            "jar",
            "war",
            "ear",
            "aar",
            "apk",
            "class",
            "o",
            "obj",
            "a",
            "so",
            "dylib",
            "dll",
            "exe",
            "bin",
            "dat",
            "db",
            "sqlite",
            "pyc",
            "pyo",
            "woff",
            "woff2",
            "ttf",
            "otf",
            "eot",
            "mp3",
            "mp4",
            "wav",
            "ogg",
            "flac",
            "avi",
            "mov",
            "mkv",
            "webm",
            "wasm",
            "node",
            "lockb",
            "keystore",
            "jks",
            "p12",
            "pfx",
            "der");

    /** Generated lock files: text, but noise for a reader. */
    private static final Set<String> LOCK_FILES = Set.of(
            "package-lock.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "bun.lockb",
            "cargo.lock",
            "poetry.lock",
            "composer.lock",
            "gemfile.lock",
            "go.sum",
            "pipfile.lock");

    private Languages() {}

    static String extension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot <= 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    static boolean isBinaryName(String fileName) {
        return BINARY_EXTENSIONS.contains(extension(fileName));
    }

    static boolean isLockFile(String fileName) {
        return LOCK_FILES.contains(fileName.toLowerCase(Locale.ROOT));
    }

    /** A language label, or "Other". */
    static String of(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        String byName = BY_NAME.get(lower);
        if (byName != null) {
            return byName;
        }
        if (lower.startsWith("dockerfile")) {
            return "Dockerfile";
        }
        return BY_EXTENSION.getOrDefault(extension(fileName), "Other");
    }

    /** The info string for a fenced code block showing this file, or "" for none. */
    static String fenceLanguage(String fileName) {
        return switch (of(fileName)) {
            case "Java" -> "java";
            case "Kotlin" -> "kotlin";
            case "Scala" -> "scala";
            case "Groovy", "Gradle" -> "groovy";
            case "JavaScript" -> "javascript";
            case "TypeScript" -> "typescript";
            case "Python" -> "python";
            case "Go" -> "go";
            case "Rust" -> "rust";
            case "Ruby" -> "ruby";
            case "PHP" -> "php";
            case "C" -> "c";
            case "C++" -> "cpp";
            case "C#" -> "csharp";
            case "Swift" -> "swift";
            case "Shell" -> "sh";
            case "SQL" -> "sql";
            case "YAML" -> "yaml";
            case "JSON" -> "json";
            case "TOML" -> "toml";
            case "XML" -> "xml";
            case "HTML" -> "html";
            case "CSS" -> "css";
            case "Markdown" -> "markdown";
            case "Dockerfile" -> "dockerfile";
            case "Makefile" -> "makefile";
            default -> "";
        };
    }
}
