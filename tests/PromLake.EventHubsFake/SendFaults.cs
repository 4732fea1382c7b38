namespace PromLake.EventHubsFake;

internal enum ConnectionDrop
{
    None,
    BeforeStoring,
    AfterStoring,
}

/// <summary>The fault switches a test sets on the broker; each send consults them once, in order of arrival.</summary>
internal sealed class SendFaults
{
    private volatile bool alwaysBusy;
    private int busyCount;
    private int pendingDrop;
    private long replyDelayTicks;

    public bool AlwaysBusy
    {
        get => alwaysBusy;
        set => alwaysBusy = value;
    }

    public TimeSpan ReplyDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref replyDelayTicks));
        set => Interlocked.Exchange(ref replyDelayTicks, value.Ticks);
    }

    public void RejectNext(int count) => Interlocked.Exchange(ref busyCount, count);

    public void DropOnNextSend(ConnectionDrop drop) => Interlocked.Exchange(ref pendingDrop, (int)drop);

    public bool TakeServerBusy()
    {
        if (alwaysBusy)
        {
            return true;
        }

        while (true)
        {
            var remaining = Volatile.Read(ref busyCount);
            if (remaining <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref busyCount, remaining - 1, remaining) == remaining)
            {
                return true;
            }
        }
    }

    public ConnectionDrop TakeDrop() => (ConnectionDrop)Interlocked.Exchange(ref pendingDrop, (int)ConnectionDrop.None);
}
