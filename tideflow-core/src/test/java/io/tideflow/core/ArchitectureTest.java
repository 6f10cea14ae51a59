package io.tideflow.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
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
    core =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.tideflow.core");
  }

  @Test
  void coreDependsOnNoOtherPartOfTideflowNorOnAnyTransportOrStoreLibrary() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.tideflow.store..",
            "io.tideflow.runtime..",
            "io.tideflow.server..",
            "io.tideflow.cli..",
            "io.tideflow.cache..",
            "io.tideflow.bench..",
            "io.grpc..",
            "io.etcd..",
            "io.netty..",
            "io.lettuce..",
            "io.micrometer..",
            "picocli..",
            "com.google.protobuf..")
        .because("tideflow-core is the pure layer everything else stands on")
        .check(core);
  }

  @Test
  void coreDoesNoIo() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "java.io..", "java.net..", "java.nio.channels..", "java.nio.file..", "java.sql..")
        .because("I/O lives at the edges: store, transport, providers, server")
        .check(core);
    noClasses()
        .should()
        .accessField(System.class, "out")
        .orShould()
        .accessField(System.class, "err")
        .check(core);
  }

  @Test
  void coreStartsNoThreadsAndSchedulesNothing() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .areAssignableTo(Thread.class)
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(Executor.class)
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(Future.class)
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(CompletionStage.class)
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.concurrent.Executors")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.Timer")
        .because("threads belong to the runtime; a decision runs on its caller's thread")
        .check(core);
  }

  @Test
  void coreReadsNoClock() {
    noClasses()
        .should()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(Instant.class, "now")
        .orShould()
        .callMethod(InstantSource.class, "system")
        .orShould()
        .callMethod(Clock.class, "systemUTC")
        .orShould()
        .callMethod(Clock.class, "systemDefaultZone")
        .orShould()
        .callMethod(LocalDateTime.class, "now")
        .orShould()
        .callMethod(ZonedDateTime.class, "now")
        .orShould()
        .callMethod(OffsetDateTime.class, "now")
        .because("time comes in as a value, so tests and the simulator run hours in milliseconds")
        .check(core);
  }

  @Test
  void coreLogsNothing() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.util.logging..", "org.slf4j..", "org.apache.logging..")
        .orShould()
        .dependOnClassesThat()
        .areAssignableTo(System.Logger.class)
        .because("a decision explains itself in its result (reasons), not in a log")
        .check(core);
  }
}
