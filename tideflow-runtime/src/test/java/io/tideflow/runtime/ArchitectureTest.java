package io.tideflow.runtime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The runtime's roles stay apart, and the runtime stays below the server and the CLI. */
class ArchitectureTest {
  private static JavaClasses runtime;

  @BeforeAll
  static void importRuntime() {
    runtime =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tideflow.runtime");
  }

  @Test
  void theRuntimeDependsOnNothingAboveIt() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.tideflow.server..", "io.tideflow.cli..", "io.tideflow.bench..", "picocli..")
        .check(runtime);
  }

  @Test
  void theRuntimeUsesStoresOnlyThroughTheSpi() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.tideflow.store.etcd..", "io.tideflow.store.memory..", "io.etcd..")
        .because(
            "the same code runs embedded and distributed (DESIGN.md); the CLI and the"
                + " provider's worker main choose the store by URI")
        .check(runtime);
  }

  @Test
  void workersDoNotDependOnClients() {
    noClasses()
        .that()
        .resideInAPackage("io.tideflow.runtime.worker..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.tideflow.runtime.client..")
        .because("a worker answers whoever calls; it never places or submits work")
        .check(runtime);
  }

  @Test
  void theHandlerApiStandsAlone() {
    noClasses()
        .that()
        .resideInAPackage("io.tideflow.runtime.task..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.tideflow.runtime.worker..", "io.tideflow.runtime.client..",
            "io.tideflow.runtime.coordinator..", "io.tideflow.runtime.autoscale..",
            "io.tideflow.runtime.provider..", "io.grpc..")
        .because("a handler jar compiles against the task API alone")
        .check(runtime);
  }

  @Test
  void theCoordinatorIsNotOnTheTaskDataPath() {
    noClasses()
        .that()
        .resideInAnyPackage("io.tideflow.runtime.coordinator..", "io.tideflow.runtime.autoscale..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.tideflow.runtime.client..")
        .check(runtime);
  }

  /**
   * The classes that carry a task from the gRPC event loop to a task thread and its result back
   * take no lock: a virtual thread that waits for a lock may not run again for seconds under
   * CPU-bound load, and whoever queues behind it on the lock waits as long (see WriteLoop). Lock
   * types and synchronized methods are checked here; synchronized blocks are not visible to this
   * check and are kept out of these classes by review.
   */
  @Test
  void theHandOffBetweenEventLoopAndTaskThreadsTakesNoLock() {
    noClasses()
        .that()
        .haveNameMatching(HAND_OFF + "|io\\.tideflow\\.runtime\\.worker\\.(Job|Dedup)")
        .should()
        .dependOnClassesThat()
        .haveNameMatching(
            "java\\.util\\.concurrent\\.(locks\\.(ReentrantLock|ReentrantReadWriteLock|StampedLock)"
                + "|ThreadPoolExecutor|ScheduledThreadPoolExecutor|ScheduledExecutorService"
                + "|Executors|.*BlockingQueue|.*BlockingDeque)")
        .check(runtime);
    methods()
        .that()
        .areDeclaredInClassesThat()
        .haveNameMatching(HAND_OFF)
        .should()
        .notHaveModifier(JavaModifier.SYNCHRONIZED)
        .check(runtime);
    // Dedup's lock is the event loop's alone: the task threads' calls queue and return.
    methods()
        .that()
        .areDeclaredInClassesThat()
        .haveFullyQualifiedName("io.tideflow.runtime.worker.Dedup")
        .and()
        .haveNameMatching("finish|remove")
        .should()
        .notHaveModifier(JavaModifier.SYNCHRONIZED)
        .check(runtime);
  }

  private static final String HAND_OFF =
      "io\\.tideflow\\.runtime\\.(worker\\.(RunQueue|Admission|Rejections|TaskStreamService(\\$Session)?)"
          + "|transport\\.(Batcher|WriteLoop))";
}
