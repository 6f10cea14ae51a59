package io.tideflow.server.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class HtmlReportTest {
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

  private static String render(RunTimeline timeline) {
    return HtmlReport.render(timeline, PNG, "chart.png");
  }

  @Test
  void showsTheSummaryValuesInOrder() {
    String html = render(SampleTimelines.rampUpAndDown());

    assertThat(html)
        .containsSubsequence(
            "<th>duration</th><td>120 s</td>",
            "<th>submitted</th><td>",
            "<th>failed</th><td>0</td>",
            "<th>peak nodes</th><td>6</td>");
  }

  @Test
  void escapesEventLabelsKindsAndTheTitle() {
    RunTimeline timeline =
        RunTimeline.builder("<b>run</b> & co")
            .point(0, 1, 1, 1, 1, 1)
            .event(0, "odd <kind>", "<script>alert('x')</script> & \"more\"")
            .summary("k<", "v&")
            .build();

    String html = render(timeline);

    assertThat(html)
        .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;")
        .contains("odd &lt;kind&gt;")
        .contains("<h1>&lt;b&gt;run&lt;/b&gt; &amp; co</h1>")
        .contains("<th>k&lt;</th><td>v&amp;</td>")
        .doesNotContain("<script")
        .doesNotContain("<b>");
  }

  @Test
  void embedsTheChartAsADataUriAndLinksTheChartFile() {
    String html = render(SampleTimelines.flat(3));

    assertThat(html)
        .contains("src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(PNG) + "\"")
        .contains("<a href=\"chart.png\">");
  }

  @Test
  void listsEventsNumberedInTimeOrderWithTheirKindsColour() {
    String html = render(SampleTimelines.rampUpAndDown());

    assertThat(html)
        .containsSubsequence(
            "<td class=\"num\">1</td><td class=\"num\">12</td>",
            "scale-up",
            "cpu 88% &gt; 75% for 10s: 1 -&gt; 3 nodes",
            "<td class=\"num\">3</td><td class=\"num\">60</td>",
            "background:#d62728",
            "node killed",
            "<td class=\"num\">4</td><td class=\"num\">101</td>",
            "scale-down");
  }

  @Test
  void collapsesThePerSecondSamplesAndShowsRetriesWhenAnyWereRecorded() {
    String html = render(SampleTimelines.rampUpAndDown());

    assertThat(html)
        .containsSubsequence(
            "<details>",
            "<summary>Per-second samples (121)</summary>",
            "<th class=\"num\">retried</th>",
            "</details>");
    assertThat(render(SampleTimelines.flat(3))).doesNotContain(">retried<");
  }

  @Test
  void isSelfContainedWithoutScriptsOrExternalResources() {
    String html = render(SampleTimelines.rampUpAndDown());

    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .doesNotContain("<script", "<link", "http://", "https://", "@import");
  }

  @Test
  void saysSoWhenThereAreNoEvents() {
    assertThat(render(SampleTimelines.flat(3))).contains("<h2>Decisions and events</h2>\n<p>None.");
  }

  @Test
  void formatsNumbersWithoutTheLocale() {
    assertThat(HtmlReport.number(20000)).isEqualTo("20,000");
    assertThat(HtmlReport.number(2.5)).isEqualTo("2.5");
    assertThat(HtmlReport.number(2.25)).isEqualTo("2.25");
    assertThat(HtmlReport.number(13.998)).isEqualTo("14");
    assertThat(HtmlReport.number(1234.5)).isEqualTo("1,234.5");
  }
}
