"""``from lstm_lib.renom.optimizer import Adam``: lstm_lib's optimizers under ReNom's module path."""
from ..optim import SGD as Sgd
from ..optim import Adam

__all__ = ["Adam", "Sgd"]
