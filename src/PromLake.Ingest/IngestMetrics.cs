using Prometheus;

namespace PromLake.Ingest;

/// <summary>
/// The write path's own counters, exposed by the hosts on /metrics. Every
/// refusal is counted per tenant and reason (tenant "" before authentication).
/// </summary>
public sealed class IngestMetrics
{
    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public IngestMetrics(CollectorRegistry? registry = null)
    {
        var factory = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);
        Samples = factory.CreateCounter("promlake_ingest_samples_total", "Float samples accepted into the log.", "tenant");
        Histograms = factory.CreateCounter("promlake_ingest_histograms_total", "Native histogram samples accepted into the log.", "tenant");
        Exemplars = factory.CreateCounter("promlake_ingest_exemplars_total", "Exemplars accepted into the log.", "tenant");
        Metadata = factory.CreateCounter("promlake_ingest_metadata_total", "Metadata entries accepted into the log.", "tenant");
        RefusedSamples = factory.CreateCounter("promlake_ingest_refused_samples_total", "Float samples refused, by reason.", "tenant", "reason");
        RefusedHistograms = factory.CreateCounter("promlake_ingest_refused_histograms_total", "Native histogram samples refused, by reason.", "tenant", "reason");
        RefusedExemplars = factory.CreateCounter("promlake_ingest_refused_exemplars_total", "Exemplars refused, by reason.", "tenant", "reason");
        RefusedRequests = factory.CreateCounter("promlake_ingest_refused_requests_total", "Write requests answered with an error, by reason.", "tenant", "reason");
        RequestDuration = factory.CreateHistogram("promlake_write_request_duration_seconds", "Time to answer a remote-write request.",
            new HistogramConfiguration { LabelNames = ["status"], Buckets = LatencyBuckets });
        LogAppendDuration = factory.CreateHistogram("promlake_log_append_duration_seconds", "Time for the log to make one request's events durable.",
            new HistogramConfiguration { Buckets = LatencyBuckets });
        LogEvents = factory.CreateCounter("promlake_log_events_total", "Events appended to the ingest log.");
        LogEventBytes = factory.CreateCounter("promlake_log_event_bytes_total", "Bytes of events appended to the ingest log.");
    }

    public Counter Samples { get; }

    public Counter Histograms { get; }

    public Counter Exemplars { get; }

    public Counter Metadata { get; }

    public Counter RefusedSamples { get; }

    public Counter RefusedHistograms { get; }

    public Counter RefusedExemplars { get; }

    public Counter RefusedRequests { get; }

    public Histogram RequestDuration { get; }

    public Histogram LogAppendDuration { get; }

    public Counter LogEvents { get; }

    public Counter LogEventBytes { get; }
}
