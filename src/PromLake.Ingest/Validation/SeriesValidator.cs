using System.Text;
using System.Text.Unicode;
using PromLake.Ingest.Limits;
using PromLake.Protocol.RemoteWrite;

namespace PromLake.Ingest.Validation;

/// <summary>
/// The rules every stored series obeys (RW 1.0: "Label names MUST be unique …
/// label names and values MUST NOT be empty … labels MUST be sorted by name";
/// RW 2.0 repeats them) and the tenant's size limits. Names and values must be
/// valid UTF-8; metric and label names may be any UTF-8, as in Prometheus 3.
/// </summary>
public static class SeriesValidator
{
    private static ReadOnlySpan<byte> MetricName => "__name__"u8;

    /// <summary>Returns null for a valid series, else the reason and a human-readable detail.</summary>
    public static string? Validate(ReadOnlySpan<byte> body, ReadOnlySpan<LabelEntry> labels, TenantLimits limits, out string? detail)
    {
        detail = null;
        if (labels.Length > limits.MaxLabelNamesPerSeries)
        {
            detail = $"{labels.Length} labels, more than the limit of {limits.MaxLabelNamesPerSeries}";
            return RefusalReason.TooManyLabels;
        }

        var hasName = false;
        ReadOnlySpan<byte> previous = default;
        for (var i = 0; i < labels.Length; i++)
        {
            var name = labels[i].Name.Span(body);
            var value = labels[i].Value.Span(body);
            if (name.IsEmpty)
            {
                detail = "a label has an empty name";
                return RefusalReason.EmptyLabelName;
            }

            if (i > 0)
            {
                var order = previous.SequenceCompareTo(name);
                if (order == 0)
                {
                    detail = $"label name \"{Text(name)}\" appears twice";
                    return RefusalReason.DuplicateLabelName;
                }

                if (order > 0)
                {
                    detail = $"labels are not sorted by name: \"{Text(name)}\" comes after \"{Text(previous)}\"";
                    return RefusalReason.LabelsNotSorted;
                }
            }

            previous = name;
            if (value.IsEmpty)
            {
                detail = $"label \"{Text(name)}\" has an empty value";
                return RefusalReason.EmptyLabelValue;
            }

            if (name.Length > limits.MaxLabelNameLength)
            {
                detail = $"label name of {name.Length} bytes is longer than the limit of {limits.MaxLabelNameLength}";
                return RefusalReason.LabelNameTooLong;
            }

            if (value.Length > limits.MaxLabelValueLength)
            {
                detail = $"value of label \"{Text(name)}\" is {value.Length} bytes, longer than the limit of {limits.MaxLabelValueLength}";
                return RefusalReason.LabelValueTooLong;
            }

            if (!Utf8.IsValid(name) || !Utf8.IsValid(value))
            {
                detail = "a label name or value is not valid UTF-8";
                return RefusalReason.InvalidUtf8;
            }

            if (name.SequenceEqual(MetricName))
            {
                hasName = true;
            }
        }

        if (!hasName)
        {
            detail = "the series has no __name__ label";
            return RefusalReason.MissingMetricName;
        }

        return null;
    }

    /// <summary>
    /// Returns null when every sample and histogram of the series is within the tenant's retention at
    /// <paramref name="receivedAtMs"/>, else <see cref="RefusalReason.SampleTooOld"/>: the compactor would delete
    /// such a sample's day at its next sweep, so accepting it would acknowledge data that is never queryable.
    /// </summary>
    public static string? ValidateAge(DecodedWriteRequest request, in SeriesEntry series, TenantLimits limits, long receivedAtMs, out string? detail)
    {
        detail = null;
        var oldest = long.MaxValue;
        foreach (ref readonly var sample in request.Samples.Slice(series.SampleStart, series.SampleCount))
        {
            oldest = Math.Min(oldest, sample.Timestamp);
        }

        foreach (ref readonly var histogram in request.Histograms.Slice(series.HistogramStart, series.HistogramCount))
        {
            oldest = Math.Min(oldest, histogram.Timestamp);
        }

        var limit = receivedAtMs - (limits.RetentionDays * 86_400_000L);
        if (oldest >= limit)
        {
            return null;
        }

        detail = $"sample at {Format(oldest)} is older than the tenant's retention of {limits.RetentionDays} days (nothing before {Format(limit)} is kept)";
        return RefusalReason.SampleTooOld;

        static string Format(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(ms, -62135596800000, 253402300799999)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A series as Prometheus prints it, <c>{__name__="up", job="x"}</c>, cut at a readable length.</summary>
    public static string Describe(ReadOnlySpan<byte> body, ReadOnlySpan<LabelEntry> labels)
    {
        const int MaxLength = 300;
        var builder = new StringBuilder("{");
        for (var i = 0; i < labels.Length && builder.Length < MaxLength; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            builder.Append(Text(labels[i].Name.Span(body))).Append("=\"")
                .Append(Text(labels[i].Value.Span(body)).Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"');
        }

        if (builder.Length >= MaxLength)
        {
            builder.Length = MaxLength;
            builder.Append('…');
        }

        return builder.Append('}').ToString();
    }

    private static string Text(ReadOnlySpan<byte> utf8) =>
        Encoding.UTF8.GetString(utf8.Length > 200 ? utf8[..200] : utf8);
}
