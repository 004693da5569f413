package io.fondation.engine.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import io.fondation.shared.CloneSource;
import io.fondation.shared.FailureKind;
import io.fondation.shared.Secret;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Every case runs with both clients: they keep the same rules and give the same failures. */
@ParameterizedClass
@EnumSource(GitClient.class)
class RepositoryClonerTest {

    @Parameter
    GitClient client;

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path temp;

    private Path origin;
    private HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void createOrigin() {
        // why: the build needs git 2.32+ (.ci/run installs it); without it these tests fail rather than skip
        assertThat(client != GitClient.CLI || GitClient.fastestAvailable() == GitClient.CLI)
                .as("git 2.32+ on PATH")
                .isTrue();
        origin = TestRepositories.sample(temp.resolve("origin"));
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    private RepositoryCloner cloner() {
        return new RepositoryCloner("https://github.com", null, TIMEOUT).using(client);
    }

    private ClonedRepository cloneOf(CloneSource source) {
        return cloner().clone(source, temp.resolve("clone"), () -> false);
    }

    /** A bare copy of the origin, with all its branches, at {@code hosting/<relative>}; returns {@code hosting}. */
    private Path hostBare(String relative) throws GitAPIException {
        Path hosting = temp.resolve("hosting");
        Git.cloneRepository()
                .setURI(origin.toString())
                .setDirectory(hosting.resolve(relative).toFile())
                .setBare(true)
                .setCloneAllBranches(true)
                .call()
                .close();
        return hosting;
    }

    private CloneException failureOf(RepositoryCloner cloner, CloneSource source) {
        return catchThrowableOfType(
                CloneException.class, () -> cloner.clone(source, temp.resolve("clone"), () -> false));
    }

    @Test
    void aCloneLeavesNoGitWorkRunningThatCouldOutliveItsWorkspace() throws Exception {
        // why: JGit ends a fetch with auto gc in a background thread holding .git/gc.log.lock; a workspace deleted
        // under it made JGit log an ERROR (seen in ClusterChaosTest). The clone's own config turns auto gc off.
        ClonedRepository clone = cloneOf(CloneSource.ofUrl(origin.toString(), null));

        try (Git git = Git.open(clone.directory().toFile())) {
            StoredConfig config = git.getRepository().getConfig();
            if (client == GitClient.JGIT) {
                assertThat(config.getBoolean("gc", "autoDetach", true)).isFalse();
                assertThat(config.getInt("gc", "auto", -1)).isZero();
            }
        }
        assertThat(clone.directory().resolve(".git/gc.log.lock")).doesNotExist();
        assertThat(clone.directory().resolve(".git/gc.pid")).doesNotExist();
        FileTrees.deleteRecursively(clone.directory());
        assertThat(clone.directory()).doesNotExist();
    }

    @Test
    void clonesTheDefaultBranchShallowAndAlone() throws Exception {
        ClonedRepository clone = cloneOf(CloneSource.ofUrl(origin.toString(), null));

        assertThat(clone.branch()).isEqualTo("trunk");
        assertThat(clone.directory().resolve("src/util.py")).exists();
        assertThat(clone.directory().resolve("src/feature.py")).doesNotExist();
        assertThat(clone.duration()).isPositive();
        try (Git git = Git.open(clone.directory().toFile())) {
            assertThat(git.getRepository().getBranch()).isEqualTo("trunk");
            assertThat(clone.commit())
                    .isEqualTo(git.getRepository().resolve(Constants.HEAD).getName());
            // depth 1: one commit reachable, the shallow boundary recorded
            Iterable<RevCommit> log = git.log().call();
            assertThat(log).hasSize(1);
            assertThat(clone.directory().resolve(".git/shallow")).exists();
            // single branch, no tags
            assertThat(git.getRepository().getRefDatabase().getRefs())
                    .extracting(Ref::getName)
                    .containsExactlyInAnyOrder("HEAD", "refs/heads/trunk", "refs/remotes/origin/trunk");
            assertThat(git.getRepository().getConfig().getString("core", null, "autocrlf"))
                    .isEqualTo("input");
            assertThat(git.status().call().isClean()).isTrue();
        }
    }

    @Test
    void aLocalRepositoryOwnedByAnotherUserClonesAndLeavesNoConfigurationBehind() throws Exception {
        // why: only root can give a file to another user; the build runs as root (CI does), and this case fails
        // rather than skips without it
        assertThat((Integer) Files.getAttribute(temp, "unix:uid"))
                .as("the tests run as root (needed to give the origin to another user)")
                .isZero();
        try (Stream<Path> files = Files.walk(origin)) {
            for (Path file : files.toList()) {
                Files.setAttribute(file, "unix:uid", 4242, LinkOption.NOFOLLOW_LINKS);
            }
        }

        ClonedRepository clone = cloneOf(CloneSource.ofUrl(origin.toString(), null));

        assertThat(clone.directory().resolve("src/util.py")).exists();
        try (Stream<Path> left = Files.list(temp)) {
            assertThat(left.map(path -> path.getFileName().toString()))
                    .noneMatch(name -> name.startsWith(".fondation-git-"));
        }
    }

    @Test
    void aCommitAskedForIsCheckedOutWhenTheBranchMovedOnWithTheGitCommand() throws Exception {
        String first;
        try (Git git = Git.open(origin.toFile())) {
            first = git.getRepository().resolve("trunk~1").getName();
        }

        ClonedRepository clone = cloner().clone(
                        CloneSource.ofUrl(origin.toString(), null),
                        temp.resolve("clone"),
                        first,
                        () -> false,
                        java.util.Optional.empty());

        if (client == GitClient.CLI) {
            assertThat(clone.commit()).as("the checkpoint's commit").isEqualTo(first);
            assertThat(clone.directory().resolve("src/util.py"))
                    .as("added by the later commit")
                    .doesNotExist();
            assertThat(clone.directory().resolve("src/main.py")).exists();
            assertThat(clone.branch()).isEqualTo("trunk");
        } else {
            assertThat(clone.commit()).as("JGit keeps the branch's head").isNotEqualTo(first);
            assertThat(clone.directory().resolve("src/util.py")).exists();
        }
    }

    @Test
    void aCommitTheRemoteDoesNotHaveLeavesTheHeadCheckedOut() {
        ClonedRepository clone = cloner().clone(
                        CloneSource.ofUrl(origin.toString(), null),
                        temp.resolve("clone"),
                        "fedcba9876543210fedcba9876543210fedcba98",
                        () -> false,
                        java.util.Optional.empty());

        assertThat(clone.commit()).isNotEqualTo("fedcba9876543210fedcba9876543210fedcba98");
        assertThat(clone.directory().resolve("src/util.py")).exists();
    }

    @Test
    void clonesANamedBranch() throws Exception {
        ClonedRepository clone = cloneOf(CloneSource.ofUrl(origin.toString(), "feature"));

        assertThat(clone.branch()).isEqualTo("feature");
        assertThat(clone.directory().resolve("src/feature.py")).hasContent("FLAG = True");
        assertThat(clone.directory().resolve("src/util.py")).doesNotExist();
        try (Git git = Git.open(clone.directory().toFile())) {
            assertThat(git.getRepository().getRefDatabase().getRefs())
                    .extracting(Ref::getName)
                    .doesNotContain("refs/heads/trunk", "refs/remotes/origin/trunk", "refs/tags/v1");
        }
    }

    @Test
    void acceptsFileUrls() {
        ClonedRepository clone = cloneOf(CloneSource.ofUrl(origin.toUri().toString(), "trunk"));
        assertThat(clone.directory().resolve("README.md")).exists();
        assertThat(clone.url()).isEqualTo(origin.toUri().toString());
    }

    @Test
    void resolvesOwnerAndNameAgainstTheBaseUrl() throws Exception {
        Path hosting = hostBare("acme/widget.git");
        RepositoryCloner cloner = new RepositoryCloner(hosting.toUri().toString(), null, TIMEOUT).using(client);

        ClonedRepository clone =
                cloner.clone(CloneSource.ofFullName("acme/widget", null), temp.resolve("clone"), () -> false);

        assertThat(clone.branch()).isEqualTo("trunk");
        assertThat(clone.directory().resolve("src/main.py")).exists();
    }

    @Test
    void aClonerThatRefusesLocalRepositoriesRefusesPathsAndFileUrlsButNotOwnerAndName() throws Exception {
        RepositoryCloner refusing = cloner().localRepositoriesAllowed(false);
        for (String location : List.of(origin.toString(), origin.toUri().toString())) {
            CloneException error = failureOf(refusing, CloneSource.ofUrl(location, null));
            assertThat(error.failure().kind()).as(location).isEqualTo(FailureKind.INVALID_INPUT);
            assertThat(error.failure().message())
                    .as(location)
                    .startsWith("repository '" + location + "' is a path on the worker's machine")
                    .contains("ALLOW_LOCAL_REPOSITORIES=false");
        }
        assertThat(temp.resolve("clone")).doesNotExist();

        Path hosting = hostBare("acme/widget.git");
        ClonedRepository clone = new RepositoryCloner(hosting.toUri().toString(), null, TIMEOUT)
                .using(client)
                .localRepositoriesAllowed(false)
                .clone(CloneSource.ofFullName("acme/widget", null), temp.resolve("clone"), () -> false);
        assertThat(clone.directory().resolve("src/main.py")).exists();
    }

    @Test
    void aMissingPathIsInvalidInputNamingIt() {
        String missing = temp.resolve("nowhere").toString();
        CloneException error = failureOf(cloner(), CloneSource.ofUrl(missing, null));
        assertThat(error.failure().kind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(error.failure().message()).isEqualTo("repository path '" + missing + "' does not exist");
    }

    @Test
    void aDirectoryThatIsNotARepositoryIsInvalidInput() throws IOException {
        Path plain = Files.createDirectory(temp.resolve("plain"));
        CloneException error = failureOf(cloner(), CloneSource.ofUrl(plain.toString(), null));
        assertThat(error.failure().kind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(error.failure().message()).isEqualTo("repository path '" + plain + "' is not a git repository");
    }

    @Test
    void invalidUrlsAreInvalidInput() {
        assertThat(failureOf(cloner(), CloneSource.ofUrl("https://", null)).failure())
                .satisfies(f -> assertThat(f.kind()).isEqualTo(FailureKind.INVALID_INPUT))
                .satisfies(f -> assertThat(f.message()).contains("is not a valid URL"));
        assertThat(failureOf(cloner(), CloneSource.ofUrl("file:///no/such/repo", null))
                        .failure()
                        .message())
                .isEqualTo("repository path 'file:///no/such/repo' does not exist");
    }

    @Test
    void aMissingBranchIsInvalidInputNamingItAndTheBranchesThatExist() {
        CloneException error = failureOf(cloner(), CloneSource.ofUrl(origin.toString(), "release-9"));
        assertThat(error.failure().kind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(error.failure().message())
                .isEqualTo("branch 'release-9' not found in " + origin + " (branches: feature, trunk)");
        assertThat(temp.resolve("clone")).doesNotExist();
    }

    @Test
    void anEmptyRepositoryIsInvalidInput() {
        Path empty = TestRepositories.empty(temp.resolve("empty"));
        CloneException error = failureOf(cloner(), CloneSource.ofUrl(empty.toString(), null));
        assertThat(error.failure().kind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(error.failure().message()).contains("has no branches");
    }

    @Test
    void cancellationBeforeTheFetchStopsTheClone() {
        CloneException error = catchThrowableOfType(
                CloneException.class,
                () -> cloner().clone(CloneSource.ofUrl(origin.toString(), null), temp.resolve("clone"), () -> true));
        assertThat(error.failure().kind()).isEqualTo(FailureKind.CANCELED);
    }

    @Test
    void cancellationDuringTheFetchStopsTheClone() {
        Path big = TestRepositories.withFiles(temp.resolve("big"), 300);
        AtomicInteger polls = new AtomicInteger();
        // JGit polls the monitor while it transfers objects; flip after a few polls, i.e. mid-transfer.
        CloneException error = catchThrowableOfType(
                CloneException.class,
                () -> cloner().clone(
                                CloneSource.ofUrl(big.toString(), null),
                                temp.resolve("clone"),
                                () -> polls.incrementAndGet() > 3));
        assertThat(error.failure().kind()).isEqualTo(FailureKind.CANCELED);
        assertThat(error.failure().message()).isEqualTo("clone canceled");
        assertThat(polls.get()).isGreaterThan(3);
    }

    private String startServer(int status) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth != null) {
                authorizations.add(auth);
            }
            if (status == 401) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void theTokenGoesAsBasicCredentialsToTheBaseUrlHostAndARefusalIsAnAuthenticationFailure() throws IOException {
        String base = startServer(401);
        RepositoryCloner cloner = new RepositoryCloner(base, Secret.of("test-token"), TIMEOUT).using(client);

        CloneException error = failureOf(cloner, CloneSource.ofUrl(base + "/acme/private.git", null));

        assertThat(error.failure().kind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(error.failure().message())
                .isEqualTo("authentication failed for " + base + "/acme/private.git: the token was refused");
        String expected = "Basic "
                + Base64.getEncoder().encodeToString("x-access-token:test-token".getBytes(StandardCharsets.UTF_8));
        assertThat(authorizations)
                .isNotEmpty()
                .allSatisfy(header -> assertThat(header).isEqualTo(expected));
        assertThat(error).hasMessageNotContaining("test-token");
    }

    @Test
    void theTokenIsNeverOfferedToAnotherHost() throws IOException {
        String other = startServer(401);
        RepositoryCloner cloner =
                new RepositoryCloner("https://github.com", Secret.of("test-token"), TIMEOUT).using(client);

        CloneException error = failureOf(cloner, CloneSource.ofUrl(other + "/acme/x.git", null));

        assertThat(error.failure().kind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(error.failure().message()).contains("needs credentials and none apply");
        assertThat(authorizations).isEmpty();
    }

    @Test
    void aRepositoryTheServerDoesNotKnowIsInvalidInput() throws IOException {
        String base = startServer(404);
        CloneException error = failureOf(cloner(), CloneSource.ofUrl(base + "/acme/gone.git", null));
        assertThat(error.failure().kind()).isEqualTo(FailureKind.INVALID_INPUT);
        assertThat(error.failure().message()).isEqualTo("repository " + base + "/acme/gone.git not found");
    }

    @Test
    void serverErrorsAreTransient() throws IOException {
        String base = startServer(503);
        CloneException error = failureOf(cloner(), CloneSource.ofUrl(base + "/acme/x.git", null));
        assertThat(error.failure().kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(error.failure().message())
                .startsWith("could not clone " + base + "/acme/x.git: ")
                .contains("503");
    }

    @Test
    void anUnreachableServerIsTransient() throws IOException {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freePort = socket.getLocalPort();
        }
        CloneException error = failureOf(cloner(), CloneSource.ofUrl("http://127.0.0.1:" + freePort + "/x.git", null));
        assertThat(error.failure().kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(error.failure().message()).contains("connection");
    }

    @Test
    void aUrlWithCredentialsCannotEvenBecomeAJobsSource() throws IOException {
        String base = startServer(404);
        String withCredentials = base.replace("http://", "http://someone:test-password@") + "/acme/x.git";
        assertThatThrownBy(() -> CloneSource.ofUrl(withCredentials, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("test-password")
                .hasMessageContaining("GITHUB_TOKEN");
    }

    @Test
    void sameOriginComparesSchemeHostAndPort() {
        assertThat(RepositoryCloner.sameOrigin("https://github.com/a/b.git", "https://github.com"))
                .isTrue();
        assertThat(RepositoryCloner.sameOrigin("https://GitHub.com:443/a/b.git", "https://github.com"))
                .isTrue();
        assertThat(RepositoryCloner.sameOrigin("http://github.com/a/b.git", "https://github.com"))
                .isFalse();
        assertThat(RepositoryCloner.sameOrigin("https://github.com.evil.test/a.git", "https://github.com"))
                .isFalse();
        assertThat(RepositoryCloner.sameOrigin("https://github.com:8443/a.git", "https://github.com"))
                .isFalse();
        assertThat(RepositoryCloner.sameOrigin("file:///srv/a.git", "file:///srv"))
                .isFalse();
    }

    @Test
    void aCloneIntoANonEmptyDirectoryFails() throws IOException {
        Path target = Files.createDirectories(temp.resolve("clone"));
        Files.writeString(target.resolve("stray.txt"), "x");
        assertThatThrownBy(() -> cloner().clone(CloneSource.ofUrl(origin.toString(), null), target, () -> false))
                .isInstanceOf(CloneException.class);
    }

    @Test
    void clonesAPrivateRepositoryOverSmartHttpWithTheTokenAndKeepsItOutOfTheClone() throws Exception {
        assertThat(GitHttpServer.available())
                .as("git http-backend installed (Debian's git package)")
                .isTrue();
        Path hosting = hostBare("acme/private.git");
        try (GitHttpServer http = GitHttpServer.servingWithCredentials(hosting, "x-access-token", "test-token")) {
            RepositoryCloner cloner =
                    new RepositoryCloner(http.baseUrl(), Secret.of("test-token"), TIMEOUT).using(client);

            ClonedRepository clone =
                    cloner.clone(CloneSource.ofFullName("acme/private", null), temp.resolve("clone"), () -> false);

            assertThat(clone.branch()).isEqualTo("trunk");
            assertThat(clone.url()).isEqualTo(http.baseUrl() + "/acme/private.git");
            assertThat(clone.directory().resolve("src/util.py")).exists();
            assertThat(clone.directory().resolve(".git/shallow")).exists();
            assertThat(http.authorizations()).isNotEmpty();
            try (var files = Files.walk(clone.directory().resolve(".git"))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    assertThat(Files.readString(file, StandardCharsets.ISO_8859_1))
                            .as(file.toString())
                            .doesNotContain("test-token");
                }
            }
            CloneException refused = catchThrowableOfType(
                    CloneException.class,
                    () -> new RepositoryCloner(http.baseUrl(), Secret.of("wrong-token"), TIMEOUT)
                            .using(client)
                            .clone(CloneSource.ofFullName("acme/private", null), temp.resolve("clone2"), () -> false));
            assertThat(refused.failure().message())
                    .isEqualTo(
                            "authentication failed for " + http.baseUrl() + "/acme/private.git: the token was refused");
        }
    }

    @Test
    void clonesANamedBranchOverSmartHttp() throws Exception {
        assertThat(GitHttpServer.available())
                .as("git http-backend installed (Debian's git package)")
                .isTrue();
        Path hosting = hostBare("acme/widget.git");
        try (GitHttpServer http = GitHttpServer.serving(hosting)) {
            RepositoryCloner cloner = new RepositoryCloner(http.baseUrl(), null, TIMEOUT).using(client);
            ClonedRepository clone =
                    cloner.clone(CloneSource.ofFullName("acme/widget", "feature"), temp.resolve("clone"), () -> false);
            assertThat(clone.branch()).isEqualTo("feature");
            assertThat(clone.directory().resolve("src/feature.py")).exists();
            CloneException missing = catchThrowableOfType(
                    CloneException.class,
                    () -> cloner.clone(CloneSource.ofFullName("acme/widget", "nope"), temp.resolve("c2"), () -> false));
            assertThat(missing.failure().message())
                    .isEqualTo("branch 'nope' not found in " + http.baseUrl()
                            + "/acme/widget.git (branches: feature, trunk)");
        }
    }
}
