using System.IO.Hashing;
using System.Text;
using PromLake.Protocol.RemoteWrite;

namespace PromLake.Ingest.Sharding;

/// <summary>
/// shard = xxh3(tenant, labels without the replica labels) mod shard count, as
/// Mimir's ingest storage partitions by series: one series always lands in one
/// shard, and the two replicas of an HA pair (which differ only in a replica
/// label) land in the same one, so dedup and compaction stay local to a shard.
/// </summary>
public sealed class ShardRouter
{
    private readonly int _shardCount;
    private readonly byte[][] _replicaLabels;

    public ShardRouter(int shardCount, IEnumerable<string> replicaLabels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        _shardCount = shardCount;
        _replicaLabels = replicaLabels.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    public int ShardCount => _shardCount;

    /// <param name="scratch">A reusable buffer; grown when a series needs more.</param>
    public int ShardOf(ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> body, ReadOnlySpan<LabelEntry> labels, ref byte[] scratch)
    {
        // The hashed bytes are tenant 0xFF (name 0xFE value 0xFF)*: separators
        // that never occur in UTF-8, so different label sets cannot collide by
        // concatenation.
        var size = tenant.Length + 1;
        foreach (ref readonly var label in labels)
        {
            size += label.Name.Length + label.Value.Length + 2;
        }

        if (scratch.Length < size)
        {
            scratch = new byte[Math.Max(size, scratch.Length * 2)];
        }

        var span = scratch.AsSpan();
        tenant.CopyTo(span);
        var position = tenant.Length;
        span[position++] = 0xFF;
        foreach (ref readonly var label in labels)
        {
            var name = label.Name.Span(body);
            if (IsReplicaLabel(name))
            {
                continue;
            }

            name.CopyTo(span[position..]);
            position += name.Length;
            span[position++] = 0xFE;
            var value = label.Value.Span(body);
            value.CopyTo(span[position..]);
            position += value.Length;
            span[position++] = 0xFF;
        }

        return (int)(XxHash3.HashToUInt64(span[..position]) % (ulong)_shardCount);
    }

    /// <summary>
    /// The shard of a metric family's metadata (RW 1.0 sends it apart from
    /// series): the shard a series whose only label is <c>__name__</c> would get.
    /// </summary>
    public int ShardOfMetricFamily(ReadOnlySpan<byte> tenant, ReadOnlySpan<byte> family, ref byte[] scratch)
    {
        var name = "__name__"u8;
        var size = tenant.Length + name.Length + family.Length + 3;
        if (scratch.Length < size)
        {
            scratch = new byte[Math.Max(size, scratch.Length * 2)];
        }

        var span = scratch.AsSpan(0, size);
        tenant.CopyTo(span);
        var position = tenant.Length;
        span[position++] = 0xFF;
        name.CopyTo(span[position..]);
        position += name.Length;
        span[position++] = 0xFE;
        family.CopyTo(span[position..]);
        position += family.Length;
        span[position] = 0xFF;
        return (int)(XxHash3.HashToUInt64(span) % (ulong)_shardCount);
    }

    private bool IsReplicaLabel(ReadOnlySpan<byte> name)
    {
        foreach (var replica in _replicaLabels)
        {
            if (name.Length == replica.Length && name.SequenceEqual(replica))
            {
                return true;
            }
        }

        return false;
    }
}
