"""``from lstm_lib.renom.cuda import set_cuda_active``: choose the backend as ReNom does."""
from ..backend import set_backend


def set_cuda_active(active=True):
    """``True`` selects cupy (falling back to numpy with a warning without a GPU), ``False`` numpy."""
    set_backend("cupy" if active else "numpy")


__all__ = ["set_cuda_active"]
