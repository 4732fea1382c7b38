using PromLake.Protocol.LogEvents;
using PromLake.Protocol.RemoteWrite;

namespace PromLake.Ingest;

/// <summary>
/// The reusable working state of one write request: the decoded request, one
/// event builder per shard, the encoded events and the tallies of what was
/// written and refused. Pooled by <see cref="WritePipeline"/>.
/// </summary>
public sealed class WriteBatch : IDisposable
{
    private byte[] _hashScratch = new byte[1024];

    internal WriteBatch(int shardCount, int targetEventBytes)
    {
        Builders = new IngestEventBuilder[shardCount];
        Events = new List<PooledEvent>[shardCount];
        ShardUsed = new bool[shardCount];
        for (var i = 0; i < shardCount; i++)
        {
            Builders[i] = new IngestEventBuilder(targetEventBytes);
            Events[i] = [];
        }
    }

    public DecodedWriteRequest Request { get; } = new();

    internal IngestEventBuilder[] Builders { get; }

    /// <summary>Encoded events per shard, in request order within each shard.</summary>
    public List<PooledEvent>[] Events { get; }

    internal bool[] ShardUsed { get; }

    internal ref byte[] HashScratch => ref _hashScratch;

    public int SamplesWritten { get; internal set; }

    public int HistogramsWritten { get; internal set; }

    public int ExemplarsWritten { get; internal set; }

    public int MetadataWritten { get; internal set; }

    public int SeriesWritten { get; internal set; }

    public int SeriesRefused { get; internal set; }

    public int SamplesRefused { get; internal set; }

    public int HistogramsRefused { get; internal set; }

    public int ExemplarsRefused { get; internal set; }

    /// <summary>The first few refused series, each "series …: reason", for the 400 message.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Refusal tallies by reason: (series, samples, histograms, exemplars).</summary>
    public Dictionary<string, (int Series, int Samples, int Histograms, int Exemplars)> RefusedByReason { get; } = [];

    public int EventCount
    {
        get
        {
            var count = 0;
            foreach (var list in Events)
            {
                count += list.Count;
            }

            return count;
        }
    }

    /// <summary>Returns every event buffer to the pool and clears the tallies.</summary>
    internal void Reset()
    {
        foreach (var list in Events)
        {
            foreach (var e in list)
            {
                e.Return();
            }

            list.Clear();
        }

        Array.Clear(ShardUsed);
        SamplesWritten = HistogramsWritten = ExemplarsWritten = MetadataWritten = SeriesWritten = 0;
        SeriesRefused = SamplesRefused = HistogramsRefused = ExemplarsRefused = 0;
        Problems.Clear();
        RefusedByReason.Clear();
    }

    public void Dispose()
    {
        Reset();
        foreach (var builder in Builders)
        {
            builder.Dispose();
        }
    }
}
