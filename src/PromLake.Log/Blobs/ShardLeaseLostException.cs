namespace PromLake.Log.Blobs;

/// <summary>
/// A lease-guarded operation was refused because the caller no longer owns the
/// shard: its lease lapsed, or a later owner has taken the shard over. The caller
/// must stop processing the shard; whatever it did past its last commit is redone
/// by the new owner.
/// </summary>
public sealed class ShardLeaseLostException : Exception
{
    public ShardLeaseLostException(string consumer, int shard, string reason)
        : base($"Consumer '{consumer}' no longer owns shard {shard}: {reason}")
    {
        Consumer = consumer;
        Shard = shard;
    }

    public string Consumer { get; }

    public int Shard { get; }
}
