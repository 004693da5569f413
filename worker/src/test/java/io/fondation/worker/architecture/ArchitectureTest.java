package io.fondation.worker.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module and package boundaries, checked on the compiled main classes of every module (the
 * worker's tests see them all):
 * <ul>
 *   <li>the libraries ({@code shared}, {@code cli-bridge}, {@code convex-queue}) never depend on the
 *       worker, {@code shared} on no other module, and the two others not on each other;
 *   <li>the worker's runtime depends on the {@code JobQueue} SPI, not on a backend;
 *   <li>no cycles between modules, nor between the packages of one module.
 * </ul>
 */
class ArchitectureTest {

    private static final String SHARED = "io.fondation.shared..";
    private static final String CLI_BRIDGE = "io.fondation.clibridge..";
    private static final String CONVEX_QUEUE = "io.fondation.convexqueue..";
    private static final String WORKER = "io.fondation.worker..";

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
    void theLibrariesNeverDependOnTheWorker() {
        noClasses()
                .that()
                .resideInAnyPackage(SHARED, CLI_BRIDGE, CONVEX_QUEUE)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(WORKER)
                .check(classes);
    }

    @Test
    void sharedDependsOnNoOtherModule() {
        noClasses()
                .that()
                .resideInAPackage(SHARED)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(CLI_BRIDGE, CONVEX_QUEUE, WORKER)
                .check(classes);
    }

    @Test
    void cliBridgeAndConvexQueueDoNotDependOnEachOther() {
        noClasses()
                .that()
                .resideInAPackage(CLI_BRIDGE)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(CONVEX_QUEUE)
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage(CONVEX_QUEUE)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(CLI_BRIDGE)
                .check(classes);
    }

    @Test
    void theRuntimeDependsOnTheJobQueueSpiNotOnABackend() {
        noClasses()
                .that()
                .resideInAPackage("io.fondation.worker.runtime..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(CONVEX_QUEUE, "io.fondation.worker.embedded..")
                .check(classes);
    }

    @Test
    void noCyclesBetweenModules() {
        slices().matching("io.fondation.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void noCyclesBetweenThePackagesOfSharedAndConvexQueue() {
        slices().matching("io.fondation.shared.(*)..")
                .should()
                .beFreeOfCycles()
                .allowEmptyShould(true) // shared has no sub-packages today
                .check(classes);
        slices().matching("io.fondation.convexqueue.(*)..")
                .should()
                .beFreeOfCycles()
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
    void noCyclesBetweenThePackagesOfTheWorker() {
        slices().matching("io.fondation.worker.(*)..").should().beFreeOfCycles().check(classes);
    }
}
