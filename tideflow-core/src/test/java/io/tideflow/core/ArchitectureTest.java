package io.tideflow.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The core is pure (DESIGN.md): every decision is a function of a snapshot and the time it is
 * given, so it can be property-tested, benchmarked and driven by a simulator with the same code
 * production runs. These rules fail the build when that stops being true.
 */
class ArchitectureTest {
  private static JavaClasses core;

  @BeforeAll
  static void importCore() {
    core = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.tideflow.core");
  }

  @Test
  void coreDependsOnNoOtherPartOfTideflowNorOnAnyTransportOrStoreLibrary() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage(
            "io.tideflow.store..", "io.tideflow.runtime..", "io.tideflow.server..",
            "io.tideflow.cli..", "io.tideflow.cache..", "io.tideflow.bench..",
            "io.grpc..", "io.etcd..", "io.netty..", "io.lettuce..", "io.micrometer..",
            "picocli..", "com.google.protobuf..")
        .because("tideflow-core is the pure layer everything else stands on")
        .check(core);
  }

  @Test
  void coreDoesNoIo() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage(
            "java.io..", "java.net..", "java.nio.channels..", "java.nio.file..", "java.sql..")
        .because("I/O lives at the edges: store, transport, providers, server")
        .check(core);
    noClasses().should().accessField(System.class, "out")
        .orShould().accessField(System.class, "err")
        .check(core);
  }

  @Test
  void coreStartsNoThreadsAndSchedulesNothing() {
    noClasses().should().dependOnClassesThat().areAssignableTo(Thread.class)
        .orShould().dependOnClassesThat().areAssignableTo(java.util.concurrent.Executor.class)
        .orShould().dependOnClassesThat().areAssignableTo(java.util.concurrent.Future.class)
        .orShould().dependOnClassesThat().areAssignableTo(java.util.concurrent.CompletionStage.class)
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.concurrent.Executors")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Timer")
        .because("threads belong to the runtime; a decision runs on its caller's thread")
        .check(core);
  }

  @Test
  void coreReadsNoClock() {
    noClasses().should().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().callMethod(java.time.Instant.class, "now")
        .orShould().callMethod(java.time.InstantSource.class, "system")
        .orShould().callMethod(java.time.Clock.class, "systemUTC")
        .orShould().callMethod(java.time.Clock.class, "systemDefaultZone")
        .orShould().callMethod(java.time.LocalDateTime.class, "now")
        .orShould().callMethod(java.time.ZonedDateTime.class, "now")
        .orShould().callMethod(java.time.OffsetDateTime.class, "now")
        .because("time comes in as a value, so tests and the simulator run hours in milliseconds")
        .check(core);
  }

  @Test
  void coreLogsNothing() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage(
            "java.util.logging..", "org.slf4j..", "org.apache.logging..")
        .orShould().dependOnClassesThat().areAssignableTo(System.Logger.class)
        .because("a decision explains itself in its result (reasons), not in a log")
        .check(core);
  }
}
