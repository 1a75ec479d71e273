namespace Totallator.Grains.Storage;

/// <summary>
/// A row's data is something the database cannot hold (see <see cref="StorableData"/>); the statement writing it fails as a
/// whole. Thrown by the stores where PostgreSQL would refuse the row itself, so both stores fail the same way.
/// </summary>
public sealed class StoreDataRefusedException : Exception
{
    public StoreDataRefusedException()
    {
    }

    public StoreDataRefusedException(string message) : base(message)
    {
    }

    public StoreDataRefusedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
