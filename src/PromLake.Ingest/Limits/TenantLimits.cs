namespace PromLake.Ingest.Limits;

/// <summary>
/// Per-tenant write limits (configuration <c>PromLake:Limits</c> for the defaults,
/// <c>PromLake:Tenants:&lt;id&gt;:Limits</c> to override). Defaults follow Grafana
/// Mimir's distributor where it has one.
/// </summary>
public sealed class TenantLimits
{
    /// <summary>Largest snappy-compressed request body; larger gets 413.</summary>
    public int MaxRequestBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Largest decompressed body, read from the snappy header before allocating (Mimir: 100 MiB).</summary>
    public int MaxDecompressedBytes { get; set; } = 100 * 1024 * 1024;

    /// <summary>Series in one request; Prometheus sends at most max_samples_per_send (2000 by default).</summary>
    public int MaxSeriesPerRequest { get; set; } = 50_000;

    /// <summary>Mimir: max_label_names_per_series.</summary>
    public int MaxLabelNamesPerSeries { get; set; } = 30;

    /// <summary>Mimir: max_label_name_length.</summary>
    public int MaxLabelNameLength { get; set; } = 1024;

    /// <summary>Mimir: max_label_value_length.</summary>
    public int MaxLabelValueLength { get; set; } = 2048;

    /// <summary>Samples and histograms per second, sustained (Mimir: ingestion_rate).</summary>
    public double IngestionRate { get; set; } = 10_000;

    /// <summary>Samples and histograms that may arrive at once above the rate (Mimir: ingestion_burst_size).</summary>
    public int IngestionBurstSize { get; set; } = 200_000;

    /// <summary>
    /// How many days of samples are kept (395 by default: 13 months, the data account's lifecycle rule in infra/).
    /// The write path refuses samples older than this; the compactor deletes whole UTC days once they are past it.
    /// </summary>
    public int RetentionDays { get; set; } = 395;

    public TenantLimits Clone() => (TenantLimits)MemberwiseClone();

    /// <summary>Throws with a message naming the setting when a limit is not usable.</summary>
    public void Validate(string where)
    {
        Positive(MaxRequestBodyBytes, nameof(MaxRequestBodyBytes));
        Positive(MaxDecompressedBytes, nameof(MaxDecompressedBytes));
        Positive(MaxSeriesPerRequest, nameof(MaxSeriesPerRequest));
        Positive(MaxLabelNamesPerSeries, nameof(MaxLabelNamesPerSeries));
        Positive(MaxLabelNameLength, nameof(MaxLabelNameLength));
        Positive(MaxLabelValueLength, nameof(MaxLabelValueLength));
        Positive(IngestionBurstSize, nameof(IngestionBurstSize));
        Positive(RetentionDays, nameof(RetentionDays));
        if (!(IngestionRate > 0))
        {
            throw new InvalidOperationException($"{where}:{nameof(IngestionRate)} must be greater than 0 (it is {IngestionRate})");
        }

        void Positive(int value, string name)
        {
            if (value <= 0)
            {
                throw new InvalidOperationException($"{where}:{name} must be greater than 0 (it is {value})");
            }
        }
    }
}
