using PromLake.Query.Model;
using PromLake.Query.Store;
using PromLake.Storage.Parquet;
using Block = PromLake.Storage.Series;

namespace PromLake.Query.Tests.Store;

public sealed class DecodedBlockTests
{
    [Fact]
    public async Task Decodes_each_series_into_columns_and_indexes_its_labels()
    {
        var block = await DecodeAsync(
            Series("up", "host-1", (1000, 1), (2000, 2)),
            Series("up", "host-2", (1000, 5)),
            Series("down", "host-1", (3000, 7)));

        Assert.Equal(3, block.Series.Length);
        var host2 = block.Series[Assert.Single(block.Postings.Candidates([Equal("instance", "host-2")], new HashSet<string>())!)];
        Assert.Equal([1000L], host2.Timestamps);
        Assert.Equal([5.0], host2.Values);
        Assert.Equal("up", host2.Labels.Get("__name__"));
        Assert.True(host2.StrictlyIncreasing);
    }

    [Fact]
    public async Task Candidates_are_the_shortest_postings_of_the_equality_matchers()
    {
        var block = await DecodeAsync(
            Series("up", "host-1", (1000, 1)),
            Series("up", "host-2", (1000, 1)),
            Series("down", "host-1", (1000, 1)));
        var none = new HashSet<string>();

        Assert.Equal(2, block.Postings.Candidates([Equal("__name__", "up")], none)!.Length);
        Assert.Single(block.Postings.Candidates([Equal("__name__", "up"), Equal("instance", "host-2")], none)!);
        Assert.Empty(block.Postings.Candidates([Equal("instance", "host-9")], none)!);
        // Only regular expressions, or an equality on an ignored (replica) label: every series is a candidate.
        Assert.Null(block.Postings.Candidates([new LabelMatcher(MatcherType.Regexp, "instance", "host-.*")], none));
        Assert.Null(block.Postings.Candidates([Equal("instance", "host-9")], new HashSet<string> { "instance" }));
    }

    private static LabelMatcher Equal(string name, string value) => new(MatcherType.Equal, name, value);

    private static Block.StoredSeries Series(string metric, string instance, params (long T, double V)[] samples)
    {
        var series = new Block.StoredSeries([new Block.Label("__name__", metric), new Block.Label("instance", instance)]);
        foreach (var (t, v) in samples)
        {
            series.Samples.Add(new Block.Sample(t, v));
        }

        return series;
    }

    private static async Task<DecodedBlock> DecodeAsync(params Block.StoredSeries[] series)
    {
        using var stream = new MemoryStream();
        await new SampleBlockWriter().WriteAsync(series, stream);
        stream.Position = 0;
        return await DecodedBlock.DecodeAsync(stream, CancellationToken.None);
    }
}
