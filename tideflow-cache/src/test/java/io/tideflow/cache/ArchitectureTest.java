package io.tideflow.cache;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The cache stands alone: an application may use it without the rest of Tideflow. */
class ArchitectureTest {

  @Test
  void theCacheDependsOnNoOtherPartOfTideflow() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.tideflow.core..",
            "io.tideflow.store..",
            "io.tideflow.runtime..",
            "io.tideflow.server..",
            "io.tideflow.cli..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.tideflow.cache"));
  }
}
