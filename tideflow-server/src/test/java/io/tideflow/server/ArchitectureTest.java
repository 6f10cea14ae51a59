package io.tideflow.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The server shows the runtime; the CLI wires both, so the server never reaches up to it. */
class ArchitectureTest {

  @Test
  void theServerDoesNotDependOnTheCliOrTheBench() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.tideflow.cli..", "io.tideflow.bench..", "picocli..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.tideflow.server"));
  }
}
