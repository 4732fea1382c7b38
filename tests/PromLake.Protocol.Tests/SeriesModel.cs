using System.Text;
using Google.Protobuf;
using PromLake.Protocol.Prompb;
using PromLake.Protocol.RemoteWrite;
using V2 = PromLake.Protocol.WriteV2;

namespace PromLake.Protocol.Tests;

/// <summary>A plain, comparable view of a series, to check decoders against the reference parser.</summary>
public sealed record SeriesModel(string Labels, string Samples, string Histograms, string Exemplars, string Metadata)
{
    public static List<SeriesModel> From(DecodedWriteRequest request)
    {
        var body = request.Body.Span;
        var result = new List<SeriesModel>();
        foreach (var s in request.Series)
        {
            var samples = new StringBuilder();
            foreach (var x in request.Samples.Slice(s.SampleStart, s.SampleCount))
            {
                samples.Append($"{x.ValueBits:x16}@{x.Timestamp}/{x.StartTimestamp};");
            }

            var histograms = new StringBuilder();
            foreach (var h in request.Histograms.Slice(s.HistogramStart, s.HistogramCount))
            {
                histograms.Append(Convert.ToHexString(h.Message.Span(body))).Append(';');
            }

            var exemplars = new StringBuilder();
            foreach (var e in request.Exemplars.Slice(s.ExemplarStart, s.ExemplarCount))
            {
                exemplars.Append(FormatLabels(body, request.LabelsOf(e))).Append($"{e.ValueBits:x16}@{e.Timestamp};");
            }

            var metadata = s.HasMetadata ? $"{s.Metadata.Type}|{Text(body, s.Metadata.Help)}|{Text(body, s.Metadata.Unit)}" : "";
            result.Add(new SeriesModel(FormatLabels(body, request.LabelsOf(s)), samples.ToString(), histograms.ToString(), exemplars.ToString(), metadata));
        }

        return result;
    }

    public static List<SeriesModel> From(WriteRequest request) =>
        request.Timeseries.Select(s => new SeriesModel(
            FormatLabels(s.Labels.Select(l => (l.Name, l.Value))),
            string.Concat(s.Samples.Select(x => $"{BitConverter.DoubleToUInt64Bits(x.Value):x16}@{x.Timestamp}/0;")),
            string.Concat(s.Histograms.Select(h => Convert.ToHexString(h.ToByteArray()) + ";")),
            string.Concat(s.Exemplars.Select(e => FormatLabels(e.Labels.Select(l => (l.Name, l.Value))) + $"{BitConverter.DoubleToUInt64Bits(e.Value):x16}@{e.Timestamp};")),
            "")).ToList();

    public static List<SeriesModel> From(V2.Request request)
    {
        var sym = request.Symbols;
        IEnumerable<(string, string)> Pairs(IList<uint> refs) => Enumerable.Range(0, refs.Count / 2).Select(i => (sym[(int)refs[2 * i]], sym[(int)refs[(2 * i) + 1]]));
        return request.Timeseries.Select(s => new SeriesModel(
            FormatLabels(Pairs(s.LabelsRefs)),
            string.Concat(s.Samples.Select(x => $"{BitConverter.DoubleToUInt64Bits(x.Value):x16}@{x.Timestamp}/{x.StartTimestamp};")),
            string.Concat(s.Histograms.Select(h => Convert.ToHexString(h.ToByteArray()) + ";")),
            string.Concat(s.Exemplars.Select(e => FormatLabels(Pairs(e.LabelsRefs)) + $"{BitConverter.DoubleToUInt64Bits(e.Value):x16}@{e.Timestamp};")),
            s.Metadata is null ? "" : $"{(int)s.Metadata.Type}|{sym[(int)s.Metadata.HelpRef]}|{sym[(int)s.Metadata.UnitRef]}")).ToList();
    }

    private static string FormatLabels(ReadOnlySpan<byte> body, ReadOnlySpan<LabelEntry> labels)
    {
        var pairs = new List<(string, string)>();
        foreach (var l in labels)
        {
            pairs.Add((Text(body, l.Name), Text(body, l.Value)));
        }

        return FormatLabels(pairs);
    }

    private static string FormatLabels(IEnumerable<(string Name, string Value)> labels) =>
        "{" + string.Join(",", labels.Select(l => $"{l.Name}={l.Value}")) + "}";

    private static string Text(ReadOnlySpan<byte> body, Utf8Ref r) => Encoding.UTF8.GetString(r.Span(body));
}
