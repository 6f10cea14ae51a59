package io.tideflow.server.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AxisTest {

  @Test
  void picksStepsOfOneTwoOrFiveTimesAPowerOfTen() {
    assertThat(Axis.niceStep(120, 10)).isEqualTo(20);
    assertThat(Axis.niceStep(4320, 6)).isEqualTo(1000);
    assertThat(Axis.niceStep(9, 6)).isEqualTo(2);
    assertThat(Axis.niceStep(0.7, 5)).isEqualTo(0.2, within(1e-12));
    assertThat(Axis.niceStep(100, 10)).isEqualTo(10);
  }

  @Test
  void widensALinearRangeOutwardToWholeSteps() {
    Axis axis = Axis.linear(0, 4320, 6, 0);

    assertThat(axis.min()).isZero();
    assertThat(axis.max()).isEqualTo(5000);
    assertThat(axis.ticks()).containsExactly(0.0, 1000.0, 2000.0, 3000.0, 4000.0, 5000.0);
  }

  @Test
  void keepsCountsOnWholeNumbersEvenWhenTheRangeIsTiny() {
    assertThat(Axis.linear(0, 2, 6, 1).ticks()).containsExactly(0.0, 1.0, 2.0);
  }

  @Test
  void givesAFlatRangeOneStepOfHeight() {
    Axis axis = Axis.linear(0, 0, 6, 0);

    assertThat(axis.max()).isGreaterThan(axis.min());
    assertThat(axis.fraction(0)).isZero();
  }

  @Test
  void ticksALogarithmicAxisAtOneTwoAndFive() {
    Axis axis = Axis.logarithmic(1.6, 420);

    assertThat(axis.min()).isEqualTo(1);
    assertThat(axis.max()).isEqualTo(500);
    assertThat(axis.ticks()).containsExactly(1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0);
    assertThat(axis.fraction(10)).isCloseTo(Math.log(10) / Math.log(500), within(1e-9));
  }

  @Test
  void ticksOnlyDecadesWhenALogarithmicAxisSpansMoreThanThree() {
    assertThat(Axis.logarithmic(0.1, 20_000).ticks())
        .containsExactly(0.1, 1.0, 10.0, 100.0, 1000.0, 10_000.0);
  }

  @Test
  void clampsValuesOutsideTheRange() {
    Axis axis = Axis.logarithmic(1, 100);

    assertThat(axis.fraction(0)).isZero();
    assertThat(axis.fraction(1e9)).isEqualTo(1);
  }

  @Test
  void labelsTicksShortly() {
    assertThat(Axis.label(0)).isEqualTo("0");
    assertThat(Axis.label(0.5)).isEqualTo("0.5");
    assertThat(Axis.label(20)).isEqualTo("20");
    assertThat(Axis.label(1500)).isEqualTo("1500");
    assertThat(Axis.label(2000)).isEqualTo("2k");
    assertThat(Axis.label(12_500)).isEqualTo("12.5k");
    assertThat(Axis.label(3_000_000)).isEqualTo("3M");
  }
}
