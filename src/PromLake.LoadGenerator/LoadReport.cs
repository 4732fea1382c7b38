using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PromLake.LoadGenerator;

/// <summary>Renders a run's result as a readable block, and as one JSON line for scripts that compare receivers.</summary>
internal static class LoadReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string ToText(LoadResult r)
    {
        var o = r.Options;
        var bodies = r.Pool.Bodies;
        var text = new StringBuilder();
        void Line(string label, FormattableString value) =>
            text.Append("  ").Append(label.PadRight(12)).AppendLine(value.ToString(Invariant));

        text.AppendLine(FormattableString.Invariant($"PromLake load generator: {o.Protocol.DisplayName()} to {o.Url}"));
        Line("workload", $"{r.Workload.Targets.Count:N0} node_exporter targets, {r.Workload.SeriesCount:N0} series in {bodies.Count} bodies of <= {o.SeriesPerRequest:N0} series x {o.SamplesPerSeries} sample(s); scrape interval {o.ScrapeIntervalSeconds:0.###} s, seed {o.Seed}");
        Line("bodies", $"avg {bodies.Average(static b => b.Length) / 1024:N1} KiB snappy (Snappier would make {bodies.Average(static b => b.ReferenceCompressedLength) / 1024:N1} KiB) from {bodies.Average(static b => b.UncompressedLength) / 1024:N1} KiB protobuf; {bodies.Average(static b => b.PatchedBytesPerUse):N0} bytes re-stamped per send; prepared in {r.PreparationSeconds:N2} s");
        Line("warm-up", $"{o.WarmupSeconds:0.###} s, {r.WarmupRequests:N0} requests, {r.WarmupFailed:N0} failed");
        Line("measured", $"{r.MeasuredSeconds:N2} s at concurrency {o.Concurrency}");
        Line("requests", $"{r.Requests:N0} sent, {r.Succeeded:N0} OK (2xx), {r.Failed:N0} failed ({r.RequestsPerSecond:N1} requests/s)");
        Line("samples", $"{r.SamplesSent:N0} sent, {r.SamplesAccepted:N0} accepted: {r.SamplesPerSecond:N0} samples/s accepted");
        Line("bytes", $"{r.BytesSent / 1048576.0:N1} MiB sent ({(r.MeasuredSeconds > 0 ? r.BytesSent / 1048576.0 / r.MeasuredSeconds : 0):N1} MiB/s)");
        Line("latency ms", $"p50 {r.Latency.PercentileMs(50):N2}  p90 {r.Latency.PercentileMs(90):N2}  p99 {r.Latency.PercentileMs(99):N2}  max {r.Latency.MaxMs:N2}  (mean {r.Latency.MeanMs:N2})");
        Line("generator", $"{r.GeneratorCpuSeconds:N2} s CPU (user+sys) in the measured window = {(r.MeasuredSeconds > 0 ? r.GeneratorCpuSeconds / r.MeasuredSeconds * 100 : 0):N1}% of one core");
        var start = DateTimeOffset.FromUnixTimeMilliseconds(r.Workload.Timeline.StartMs);
        var end = DateTimeOffset.FromUnixTimeMilliseconds(r.TimelineEndMs);
        Line("timeline", $"samples from {start:yyyy-MM-ddTHH:mm:ssZ} to before {end:yyyy-MM-ddTHH:mm:ssZ} ({(end - start).TotalMinutes:N0} simulated minutes)");

        AppendFailures(text, "failed (measured)", r.Failures, r.FirstFailureMessages);
        AppendFailures(text, "failed (warm-up)", r.WarmupFailures, r.FirstFailureMessages);
        return text.ToString();
    }

    public static string ToJson(LoadResult r)
    {
        var o = r.Options;
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("url", o.Url?.ToString());
            json.WriteNumber("protocol", (int)o.Protocol);
            json.WriteNumber("concurrency", o.Concurrency);
            json.WriteNumber("targets", r.Workload.Targets.Count);
            json.WriteNumber("series", r.Workload.SeriesCount);
            json.WriteNumber("bodies", r.Pool.Bodies.Count);
            json.WriteNumber("series_per_request", o.SeriesPerRequest);
            json.WriteNumber("samples_per_series", o.SamplesPerSeries);
            json.WriteNumber("seed", o.Seed);
            json.WriteNumber("avg_body_bytes", Math.Round(r.Pool.Bodies.Average(static b => b.Length)));
            json.WriteNumber("warmup_requests", r.WarmupRequests);
            json.WriteNumber("warmup_failed", r.WarmupFailed);
            json.WriteNumber("measured_seconds", Math.Round(r.MeasuredSeconds, 3));
            json.WriteNumber("requests", r.Requests);
            json.WriteNumber("ok", r.Succeeded);
            json.WriteNumber("failed", r.Failed);
            json.WriteStartObject("failures");
            foreach (var (key, count) in r.Failures.OrderBy(static f => f.Key, StringComparer.Ordinal))
            {
                json.WriteNumber(key, count);
            }

            json.WriteEndObject();
            json.WriteNumber("samples_sent", r.SamplesSent);
            json.WriteNumber("samples_accepted", r.SamplesAccepted);
            json.WriteNumber("samples_per_second", Math.Round(r.SamplesPerSecond, 1));
            json.WriteNumber("requests_per_second", Math.Round(r.RequestsPerSecond, 2));
            json.WriteNumber("bytes_sent", r.BytesSent);
            json.WriteNumber("latency_p50_ms", Math.Round(r.Latency.PercentileMs(50), 3));
            json.WriteNumber("latency_p90_ms", Math.Round(r.Latency.PercentileMs(90), 3));
            json.WriteNumber("latency_p99_ms", Math.Round(r.Latency.PercentileMs(99), 3));
            json.WriteNumber("latency_max_ms", Math.Round(r.Latency.MaxMs, 3));
            json.WriteNumber("latency_mean_ms", Math.Round(r.Latency.MeanMs, 3));
            json.WriteNumber("generator_cpu_seconds", Math.Round(r.GeneratorCpuSeconds, 3));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void AppendFailures(StringBuilder text, string label, IReadOnlyDictionary<string, long> failures, IReadOnlyDictionary<string, string> messages)
    {
        if (failures.Count == 0)
        {
            return;
        }

        text.Append("  ").AppendLine(label + ":");
        foreach (var (key, count) in failures.OrderByDescending(static f => f.Value))
        {
            var message = messages.GetValueOrDefault(key, string.Empty).ReplaceLineEndings(" ");
            if (message.Length > 160)
            {
                message = message[..160] + "...";
            }

            text.Append(Invariant, $"    {key} x {count:N0}").AppendLine(message.Length > 0 ? $": {message}" : string.Empty);
        }
    }
}
