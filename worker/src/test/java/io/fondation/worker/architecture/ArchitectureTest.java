package io.fondation.worker.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module and package boundaries, checked on the compiled main classes of every module (the application's tests
 * see them all). The modules, from the bottom up:
 * <ul>
 *   <li>{@code shared}: the job model and the {@code JobQueue} SPI; depends on no other module;
 *   <li>{@code cli-bridge} (running analyzer CLIs) and the queue backends {@code convex-queue} and
 *       {@code embedded-queue}: none knows another, and a backend never knows the engine;
 *   <li>{@code dry-run}: the offline analyzer program, which knows neither the engine, a backend, the HTTP surface nor
 *       the application;
 *   <li>{@code engine}: runtime, git, analyzer launching, preflight; it knows the SPI, never a backend, the HTTP
 *       surface, the dry-run analyzer or the application;
 *   <li>{@code http}: the API, callbacks and one-shot jobs; handed a queue and the engine's handles, it knows no
 *       backend, no dry-run and not the application;
 *   <li>{@code worker}: the application, the only module that knows them all.
 * </ul>
 * No cycles between modules, nor between the packages of one module.
 */
class ArchitectureTest {

    private static final String SHARED = "io.fondation.shared..";
    private static final String CLI_BRIDGE = "io.fondation.clibridge..";
    private static final String CONVEX_QUEUE = "io.fondation.convexqueue..";
    private static final String EMBEDDED_QUEUE = "io.fondation.embeddedqueue..";
    private static final String ENGINE = "io.fondation.engine..";
    private static final String DRY_RUN = "io.fondation.dryrun..";
    private static final String HTTP = "io.fondation.http..";
    private static final String APPLICATION = "io.fondation.worker..";

    /** Main classes only, whatever the build directory is called (-Dfondation.target=...). */
    private static final ImportOption MAIN_CLASSES_ONLY = location -> {
        String uri = location.asURI().toString();
        return !uri.contains("/test-classes/") && !uri.contains("-tests.jar");
    };

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(MAIN_CLASSES_ONLY).importPackages("io.fondation");
    }

    @Test
    void onlyTheApplicationKnowsTheApplication() {
        noClasses()
                .that()
                .resideInAnyPackage(SHARED, CLI_BRIDGE, CONVEX_QUEUE, EMBEDDED_QUEUE, ENGINE, DRY_RUN, HTTP)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(APPLICATION)
                .check(classes);
    }

    @Test
    void sharedDependsOnNoOtherModule() {
        noClasses()
                .that()
                .resideInAPackage(SHARED)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(CLI_BRIDGE, CONVEX_QUEUE, EMBEDDED_QUEUE, ENGINE, DRY_RUN, HTTP, APPLICATION)
                .check(classes);
    }

    @Test
    void cliBridgeAndTheBackendsDoNotKnowEachOther() {
        noClasses()
                .that()
                .resideInAPackage(CLI_BRIDGE)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(CONVEX_QUEUE, EMBEDDED_QUEUE)
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage(CONVEX_QUEUE)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(CLI_BRIDGE, EMBEDDED_QUEUE)
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage(EMBEDDED_QUEUE)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(CLI_BRIDGE, CONVEX_QUEUE)
                .check(classes);
    }

    @Test
    void backendsNeverImportTheEngineNorWhatIsBuiltOnIt() {
        noClasses()
                .that()
                .resideInAnyPackage(CONVEX_QUEUE, EMBEDDED_QUEUE)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(ENGINE, DRY_RUN, HTTP)
                .check(classes);
    }

    @Test
    void theEngineNeverImportsABackendTheHttpSurfaceOrTheDryRunAnalyzer() {
        noClasses()
                .that()
                .resideInAPackage(ENGINE)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(CONVEX_QUEUE, EMBEDDED_QUEUE, HTTP, DRY_RUN)
                .check(classes);
    }

    @Test
    void theDryRunAnalyzerImportsNeitherTheEngineABackendNorTheHttpSurface() {
        noClasses()
                .that()
                .resideInAPackage(DRY_RUN)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(ENGINE, CONVEX_QUEUE, EMBEDDED_QUEUE, HTTP)
                .check(classes);
    }

    @Test
    void theHttpSurfaceIsHandedTheQueueItKnowsNoBackendNorTheDryRunAnalyzer() {
        noClasses()
                .that()
                .resideInAPackage(HTTP)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(CONVEX_QUEUE, EMBEDDED_QUEUE, DRY_RUN)
                .check(classes);
    }

    @Test
    void noCyclesBetweenModules() {
        slices().matching("io.fondation.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noCyclesBetweenThePackagesOfSharedAndTheBackends() {
        slices().matching("io.fondation.shared.(*)..")
                .should()
                .beFreeOfCycles()
                .allowEmptyShould(true) // shared has no sub-packages today
                .check(classes);
        slices().matching("io.fondation.convexqueue.(*)..")
                .should()
                .beFreeOfCycles()
                .check(classes);
        slices().matching("io.fondation.embeddedqueue.(*)..")
                .should()
                .beFreeOfCycles()
                .allowEmptyShould(true) // one package today
                .check(classes);
    }

    @Test
    void noCyclesBetweenThePackagesOfCliBridge() {
        slices().matching("io.fondation.clibridge.(*)..")
                .should()
                .beFreeOfCycles()
                .check(classes);
    }

    @Test
    void noCyclesBetweenThePackagesOfTheEngine() {
        slices().matching("io.fondation.engine.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noCyclesBetweenThePackagesOfTheHttpSurface() {
        slices().matching("io.fondation.http.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noCyclesBetweenThePackagesOfTheApplication() {
        slices().matching("io.fondation.worker.(*)..").should().beFreeOfCycles().check(classes);
    }
}
