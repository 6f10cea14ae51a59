package io.tideflow.store;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The store is an SPI with two implementations and knows nothing of what uses it. */
class ArchitectureTest {
  private static JavaClasses store;

  @BeforeAll
  static void importStore() {
    store =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tideflow.store");
  }

  @Test
  void theSpiPackageDependsOnNoneOfItsImplementationsOrHelpers() {
    noClasses()
        .that()
        .resideInAPackage("io.tideflow.store")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.tideflow.store.etcd..",
            "io.tideflow.store.memory..",
            "io.tideflow.store.delivery..",
            "io.tideflow.store.limits..",
            "io.tideflow.store.connect..",
            "io.tideflow.store.clock..",
            "io.etcd..",
            "io.grpc..",
            "io.vertx..")
        .because("a ClusterStore user reads the SPI alone; implementations stand behind it")
        .check(store);
  }

  @Test
  void implementationsDoNotReachIntoEachOther() {
    noClasses()
        .that()
        .resideInAPackage("io.tideflow.store.memory..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.tideflow.store.etcd..", "io.etcd..")
        .check(store);
    noClasses()
        .that()
        .resideInAPackage("io.tideflow.store.etcd..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.tideflow.store.memory..")
        .check(store);
  }

  @Test
  void theStoreKnowsNothingOfTheRuntimeOrTheCore() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.tideflow.core..",
            "io.tideflow.runtime..",
            "io.tideflow.server..",
            "io.tideflow.cli..",
            "io.tideflow.cache..")
        .check(store);
  }
}
