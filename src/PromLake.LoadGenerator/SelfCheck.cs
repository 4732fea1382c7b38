using System.Globalization;
using Snappier;
using Prompb = PromLake.Protocol.Prompb;
using WriteV2 = PromLake.Protocol.WriteV2;

namespace PromLake.LoadGenerator;

/// <summary>
/// <c>--self-check</c>: prepares bodies for both protocols and decodes them with the generated parsers, to show
/// without any receiver that what the generator sends is well-formed and that re-stamping keeps it so.
/// </summary>
internal static class SelfCheck
{
    // Uses far apart as well as adjacent, so that re-stamping carries into the timestamps' upper varint bytes.
    private static readonly long[] UsesToCheck = [0, 1, 2, 3, 1_000, 123_457];

    public static int Run(LoadOptions options)
    {
        var passed = true;
        foreach (var protocol in new[] { RemoteWriteProtocol.V1, RemoteWriteProtocol.V2 })
        {
            try
            {
                Console.WriteLine(Check(options, protocol));
            }
            catch (Exception exception) when (exception is InvalidOperationException or InvalidDataException or Google.Protobuf.InvalidProtocolBufferException)
            {
                Console.WriteLine($"{protocol.DisplayName()}: FAILED: {exception.Message}");
                passed = false;
            }
        }

        Console.WriteLine(passed ? "self-check passed" : "self-check FAILED");
        return passed ? 0 : 1;
    }

    private static string Check(LoadOptions options, RemoteWriteProtocol protocol)
    {
        var timeline = ScrapeTimeline.StartingNow(TimeSpan.FromSeconds(options.ScrapeIntervalSeconds));
        var workload = ScrapeWorkload.Create(options.Targets ?? 20, options.SeriesPerRequest, options.Concurrency, options.Seed, timeline);
        var factory = new RequestFactory(protocol, timeline, options.SamplesPerSeries);
        var pool = RequestBodyPool.Prepare(workload, factory);
        var body = pool.Bodies[0];

        // Decode what would be sent for each use, check it against a fresh encoding, and follow every series over the uses.
        var lastTimestamps = new long[body.SeriesCount];
        var lastValues = new double[body.SeriesCount];
        Array.Fill(lastTimestamps, long.MinValue);
        Array.Fill(lastValues, double.MinValue);
        DecodedBody? first = null;
        foreach (var use in UsesToCheck)
        {
            body.Verify(use, factory.Encode(body.Batch, use));
            var decoded = Decode(protocol, Snappy.DecompressToArray(body.Bytes));
            first ??= decoded;
            if (decoded.Series.Count != body.SeriesCount)
            {
                throw new InvalidOperationException($"use {use}: decoded {decoded.Series.Count} series, expected {body.SeriesCount}");
            }

            for (var s = 0; s < decoded.Series.Count; s++)
            {
                var (labels, samples) = decoded.Series[s];
                if (labels[0].Name != "__name__" || !labels.Zip(labels.Skip(1)).All(static p => string.CompareOrdinal(p.First.Name, p.Second.Name) < 0))
                {
                    throw new InvalidOperationException($"series {s}: labels are not sorted with __name__ first");
                }

                foreach (var (timestamp, value) in samples)
                {
                    if (timestamp <= lastTimestamps[s])
                    {
                        throw new InvalidOperationException($"series {s}: timestamp {timestamp} at use {use} does not increase");
                    }

                    if (body.Batch[s].Kind == MetricKind.Counter && value < lastValues[s])
                    {
                        throw new InvalidOperationException($"series {s}: counter went down at use {use}");
                    }

                    lastTimestamps[s] = timestamp;
                    lastValues[s] = value;
                }
            }
        }

        var parser = protocol == RemoteWriteProtocol.V1 ? "prometheus.WriteRequest" : "io.prometheus.write.v2.Request";
        var symbols = protocol == RemoteWriteProtocol.V2 ? FormattableString.Invariant($", {first!.Symbols:N0} symbols, metadata on every series") : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"""
            {protocol.DisplayName()}: body 0 of {pool.Bodies.Count} decodes as {parser} to {first!.Series.Count:N0} series and {first.Series.Sum(static s => s.Samples.Count):N0} samples{symbols}; labels sorted, __name__ first
                    {body.Length / 1024.0:N1} KiB snappy (Snappier: {body.ReferenceCompressedLength / 1024.0:N1} KiB) from {body.UncompressedLength / 1024.0:N1} KiB; re-stamped for uses {string.Join(", ", UsesToCheck)}: each decodes exactly as a fresh encoding, timestamps strictly increase, counters never decrease
            """);
    }

    private sealed record DecodedBody(List<(List<SeriesLabel> Labels, List<(long Timestamp, double Value)> Samples)> Series, int Symbols);

    private static DecodedBody Decode(RemoteWriteProtocol protocol, byte[] raw)
    {
        var series = new List<(List<SeriesLabel>, List<(long, double)>)>();
        if (protocol == RemoteWriteProtocol.V1)
        {
            var request = Prompb.WriteRequest.Parser.ParseFrom(raw);
            foreach (var ts in request.Timeseries)
            {
                series.Add((
                    ts.Labels.Select(static l => new SeriesLabel(l.Name, l.Value)).ToList(),
                    ts.Samples.Select(static s => (s.Timestamp, s.Value)).ToList()));
            }

            return new DecodedBody(series, 0);
        }

        var v2 = WriteV2.Request.Parser.ParseFrom(raw);
        if (v2.Symbols.Count == 0 || v2.Symbols[0].Length != 0)
        {
            throw new InvalidDataException("the RW 2.0 symbol table must start with the empty string");
        }

        foreach (var ts in v2.Timeseries)
        {
            if (ts.LabelsRefs.Count % 2 != 0 || ts.LabelsRefs.Any(r => r >= v2.Symbols.Count) || ts.Metadata is null || ts.Metadata.HelpRef >= v2.Symbols.Count)
            {
                throw new InvalidDataException("a RW 2.0 series refers outside the symbol table or lacks metadata");
            }

            var labels = new List<SeriesLabel>();
            for (var i = 0; i < ts.LabelsRefs.Count; i += 2)
            {
                labels.Add(new SeriesLabel(v2.Symbols[(int)ts.LabelsRefs[i]], v2.Symbols[(int)ts.LabelsRefs[i + 1]]));
            }

            series.Add((labels, ts.Samples.Select(static s => (s.Timestamp, s.Value)).ToList()));
        }

        return new DecodedBody(series, v2.Symbols.Count);
    }
}
