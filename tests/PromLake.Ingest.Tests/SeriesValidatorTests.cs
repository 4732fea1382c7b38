using System.Text;
using PromLake.Ingest.Limits;
using PromLake.Ingest.Validation;
using PromLake.Protocol.RemoteWrite;

namespace PromLake.Ingest.Tests;

public class SeriesValidatorTests
{
    private static readonly TenantLimits Limits = new();

    [Theory]
    [InlineData(RefusalReason.LabelsNotSorted, "__name__", "up", "job", "a", "instance", "b")]
    [InlineData(RefusalReason.DuplicateLabelName, "__name__", "up", "job", "a", "job", "b")]
    [InlineData(RefusalReason.EmptyLabelName, "", "x", "__name__", "up")]
    [InlineData(RefusalReason.EmptyLabelValue, "__name__", "up", "job", "")]
    [InlineData(RefusalReason.MissingMetricName, "job", "a")]
    [InlineData(RefusalReason.MissingMetricName)]
    public void Refuses_series_that_break_the_label_rules(string reason, params string[] pairs)
    {
        var (body, labels) = Series(pairs);

        Assert.Equal(reason, SeriesValidator.Validate(body, labels, Limits, out var detail));
        Assert.False(string.IsNullOrEmpty(detail));
    }

    [Fact]
    public void Accepts_sorted_unique_utf8_labels_including_utf8_metric_names()
    {
        var (body, labels) = Series("__name__", "http.requests.total", "job", "api", "région", "é");

        Assert.Null(SeriesValidator.Validate(body, labels, Limits, out _));
    }

    [Fact]
    public void Applies_the_tenant_size_limits()
    {
        var many = Enumerable.Range(0, 31).SelectMany(i => new[] { $"l{i:D2}", "v" }).Prepend("up").Prepend("__name__").ToArray();
        Assert.Equal(RefusalReason.TooManyLabels, Validate(many));
        Assert.Equal(RefusalReason.LabelNameTooLong, Validate("__name__", "up", new string('n', 1025), "v"));
        Assert.Equal(RefusalReason.LabelValueTooLong, Validate("__name__", "up", "job", new string('v', 2049)));
        Assert.Null(Validate("__name__", "up", new string('n', 1024), new string('v', 2048)));
    }

    [Fact]
    public void Refuses_invalid_utf8()
    {
        var body = "__name__up\xff"u8.ToArray();
        body[^1] = 0xFF;
        LabelEntry[] labels = [new LabelEntry { Name = new Utf8Ref(0, 8), Value = new Utf8Ref(8, 3) }];

        Assert.Equal(RefusalReason.InvalidUtf8, SeriesValidator.Validate(body, labels, Limits, out _));
    }

    [Fact]
    public void Describes_a_series_the_way_prometheus_prints_it()
    {
        var (body, labels) = Series("__name__", "up", "job", "say \"hi\"");

        Assert.Equal("{__name__=\"up\", job=\"say \\\"hi\\\"\"}", SeriesValidator.Describe(body, labels));
    }

    private static string? Validate(params string[] pairs)
    {
        var (body, labels) = Series(pairs);
        return SeriesValidator.Validate(body, labels, Limits, out _);
    }

    internal static (byte[] Body, LabelEntry[] Labels) Series(params string[] pairs)
    {
        var body = new List<byte>();
        var labels = new LabelEntry[pairs.Length / 2];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i].Name = Append(pairs[2 * i]);
            labels[i].Value = Append(pairs[(2 * i) + 1]);
        }

        return (body.ToArray(), labels);

        Utf8Ref Append(string s)
        {
            var bytes = Encoding.UTF8.GetBytes(s);
            var r = new Utf8Ref(body.Count, bytes.Length);
            body.AddRange(bytes);
            return r;
        }
    }
}
