"""Model input metadata shared by training, export, evaluation and the device.

An :class:`InputSpec` says how a frame or crop becomes a model input tensor. It is written
into every model card, so the device preprocesses exactly as training did.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class InputSpec(BaseModel):
    """How images are turned into the model's input tensor."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    height: int = Field(gt=0, le=4096)
    """Input height in pixels."""
    width: int = Field(gt=0, le=4096)
    """Input width in pixels."""
    colour: Literal["grey", "rgb", "bgr"] = "rgb"
    """Channel order the model expects (``grey`` means one channel)."""
    resize: Literal["stretch", "letterbox"] = "stretch"
    """``stretch`` resizes to the exact size; ``letterbox`` keeps the aspect ratio and pads."""
    pad_value: int = Field(default=114, ge=0, le=255)
    """Grey level used for letterbox padding."""
    margin_x: float = Field(default=0.0, ge=0.0, le=1.0)
    """Crops only: extra width added on each side of a box, as a fraction of the box width."""
    margin_y: float = Field(default=0.0, ge=0.0, le=1.0)
    """Crops only: extra height added above and below a box, as a fraction of the box height."""

    @property
    def channels(self) -> int:
        """Number of channels of the input tensor."""
        return 1 if self.colour == "grey" else 3

    @property
    def shape(self) -> tuple[int, int, int]:
        """(height, width, channels) of one input image."""
        return (self.height, self.width, self.channels)
