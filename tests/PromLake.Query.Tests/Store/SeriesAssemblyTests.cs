using Google.Protobuf;
using PromLake.Query.Model;
using PromLake.Query.Store;
using Block = PromLake.Storage.Series;
using V2 = PromLake.Protocol.WriteV2;

namespace PromLake.Query.Tests.Store;

public sealed class SeriesAssemblyTests
{
    [Fact]
    public void Pieces_that_follow_one_another_are_joined_and_cut_to_the_range()
    {
        var assembly = NewAssembly();
        assembly.Add([1000, 2000, 3000], [1, 2, 3], strictlyIncreasing: true, 2000, 5000);
        assembly.Add([4000, 5000, 6000], [4, 5, 6], strictlyIncreasing: true, 2000, 5000);

        var samples = assembly.Build(2000, 5000)!;

        Assert.Equal([2000L, 3000, 4000, 5000], samples.Select(s => s.T).ToArray());
        Assert.Equal([2.0, 3, 4, 5], samples.Select(s => s.F).ToArray());
    }

    [Fact]
    public void Overlapping_pieces_keep_the_last_written_sample_of_each_timestamp()
    {
        var assembly = NewAssembly();
        assembly.Add([1000, 2000, 3000], [1, 2, 3], strictlyIncreasing: true, 0, 10_000);
        assembly.Add([2000, 4000], [20, 40], strictlyIncreasing: true, 0, 10_000);

        var samples = assembly.Build(0, 10_000)!;

        Assert.Equal([1000L, 2000, 3000, 4000], samples.Select(s => s.T).ToArray());
        Assert.Equal([1.0, 20, 3, 40], samples.Select(s => s.F).ToArray());
    }

    [Fact]
    public void A_log_tail_in_arrival_order_is_sorted_deduplicated_and_cut_to_the_range()
    {
        var assembly = NewAssembly();
        assembly.Add([1000, 2000], [1, 2], strictlyIncreasing: true, 1500, 9000);
        assembly.Add([9500, 3000, 2000, 3000], [95, 3, 22, 33], strictlyIncreasing: false, 1500, 9000);

        var samples = assembly.Build(1500, 9000)!;

        Assert.Equal([2000L, 3000], samples.Select(s => s.T).ToArray());
        Assert.Equal([22.0, 33], samples.Select(s => s.F).ToArray());
    }

    [Fact]
    public void A_series_without_samples_in_the_range_builds_nothing()
    {
        var assembly = NewAssembly();
        assembly.Add([1000, 2000], [1, 2], strictlyIncreasing: true, 5000, 9000);

        Assert.Null(assembly.Build(5000, 9000));
    }

    [Fact]
    public void Native_histograms_join_the_floats_by_time_the_last_written_of_a_timestamp_kept()
    {
        var assembly = NewAssembly();
        assembly.Add([1000, 3000], [1, 3], strictlyIncreasing: true, 0, 9000);
        assembly.AddHistograms([Histogram(2000, count: 5), Histogram(4000, count: 7), Histogram(9500, count: 1)], 0, 9000);
        assembly.AddHistograms([Histogram(4000, count: 8), Histogram(3000, count: 9)], 0, 9000); // written later: wins

        var samples = assembly.Build(0, 9000)!;

        Assert.Equal([1000L, 2000, 3000, 4000], samples.Select(s => s.T).ToArray());
        Assert.Equal(1.0, samples[0].F);
        Assert.Null(samples[0].H);
        Assert.Equal([5.0, 9, 8], samples.Skip(1).Select(s => s.H!.Count).ToArray());
        Assert.True(assembly.HasSamples(0, 9000));
    }

    [Fact]
    public void A_series_of_histograms_only_builds_them_and_keeps_their_messages_for_the_replica_merge()
    {
        var assembly = NewAssembly();
        assembly.AddHistograms([Histogram(2000, count: 5), Histogram(1000, count: 4)], 0, 9000);

        Assert.Equal([4.0, 5], assembly.Build(0, 9000)!.Select(s => s.H!.Count).ToArray());
        Assert.Equal([1000L, 2000], assembly.ToStoredSeries(0, 9000).Histograms.Select(h => h.Timestamp).ToArray());
    }

    private static Block.HistogramSample Histogram(long t, long count) =>
        new(t, new V2.Histogram { CountInt = (ulong)count, Sum = count, Timestamp = t }.ToByteArray());

    private static SeriesAssembly NewAssembly() =>
        new([new Block.Label("__name__", "up")], Labels.FromStrings("__name__", "up"));
}
