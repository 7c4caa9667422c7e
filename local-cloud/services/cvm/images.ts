import type { ActionDefinition } from "../../api/action";
import type { CloudContext } from "../../api/cloud-context";
import { matchesFilters, paginate, readFilters } from "../../api/filters";
import type { BootableImage } from "../../host/cloud-host";
import { ApiError } from "../../server/api-error";
import type { ImageRecord } from "../../state/cloud-state";
import { isResourceId, newResourceId } from "../../state/resource-ids";
import { instanceSize } from "./instance-types";

/** Tencent's English name of a public image: `Debian 12.8 64bit` (the Chinese site writes `64位`); OsName is the same text. */
export function publicImageName(image: BootableImage): string {
  return `${image.platform} ${image.osVersion} ${image.architecture === "arm_64" ? "ARM64" : "64bit"}`;
}

/** The images the host can boot now, each with the id it keeps for as long as the state lives. */
export async function publishedImages(cloud: CloudContext): Promise<ImageRecord[]> {
  const bootable = await cloud.host.bootableImages();
  const known = (key: string) => Object.values(cloud.store.state.images).find((image) => image.hostImageKey === key);
  if (bootable.some((image) => !known(image.key))) {
    cloud.store.mutate((draft) => {
      for (const image of bootable) {
        if (Object.values(draft.images).some((existing) => existing.hostImageKey === image.key)) continue;
        const imageId = newResourceId("img", (id) => id in draft.images);
        draft.images[imageId] = {
          imageId,
          hostImageKey: image.key,
          imageName: publicImageName(image),
          osName: publicImageName(image),
          platform: image.platform,
          architecture: image.architecture,
          imageSizeGiB: image.sizeGiB,
          createdTime: image.createdTime,
        };
      }
    });
  }
  return bootable.map((image) => known(image.key) as ImageRecord);
}

/** A published image by id: malformed ids are `InvalidImageId.Malformed`, others not published now `InvalidImageId.NotFound`. */
export async function findPublishedImage(cloud: CloudContext, imageId: string, parameter = "ImageId"): Promise<ImageRecord> {
  if (!isResourceId("img", imageId))
    throw new ApiError(
      "InvalidImageId.Malformed",
      `The value ${JSON.stringify(imageId)} of \`${parameter}\` is not an image id (img-xxxxxxxx).`,
    );
  const image = (await publishedImages(cloud)).find((candidate) => candidate.imageId === imageId);
  if (!image) throw new ApiError("InvalidImageId.NotFound", `The image \`${imageId}\` does not exist (or is no longer offered).`);
  return image;
}

function imageView(image: ImageRecord) {
  return {
    ImageId: image.imageId,
    OsName: image.osName,
    ImageType: "PUBLIC_IMAGE",
    CreatedTime: image.createdTime,
    ImageName: image.imageName,
    ImageDescription: image.imageName,
    ImageSize: image.imageSizeGiB,
    Architecture: image.architecture,
    ImageState: "NORMAL",
    Platform: image.platform,
    ImageCreator: "",
    ImageSource: "OFFICIAL",
    SyncPercent: 100,
    IsSupportCloudinit: true,
    SnapshotSet: [],
    Tags: [],
    LicenseType: "TencentCloud",
    ImageFamily: "",
    ImageDeprecated: false,
  };
}

export const DescribeImages: ActionDefinition = {
  parameters: ["ImageIds", "Filters", "Offset", "Limit", "InstanceType"],
  async handle({ cloud, params }) {
    const ids = params.stringList("ImageIds");
    const filters = readFilters(
      params,
      ["image-id", "image-type", "image-name", "platform", "image-family", "image-name-regex"],
      "InvalidFilter",
    );
    if (ids && filters.length > 0)
      throw new ApiError("InvalidParameter.InvalidParameterCoexistImageIdsFilters", "ImageIds and Filters cannot be given together.");
    for (const id of ids ?? []) {
      if (!isResourceId("img", id))
        throw new ApiError(
          "InvalidImageId.Malformed",
          `The value ${JSON.stringify(id)} of \`ImageIds\` is not an image id (img-xxxxxxxx).`,
        );
    }
    const instanceType = params.string("InstanceType");
    if (instanceType !== undefined) instanceSize(instanceType);
    const images = (await publishedImages(cloud))
      .filter(
        (image) =>
          (!ids || ids.includes(image.imageId)) &&
          matchesFilters(image, filters, {
            "image-id": (i) => [i.imageId],
            "image-type": () => ["PUBLIC_IMAGE"],
            "image-name": (i) => [i.imageName],
            platform: (i) => [i.platform],
            "image-family": () => [],
            "image-name-regex": () => [],
          }),
      )
      .sort((a, b) => b.createdTime.localeCompare(a.createdTime));
    return { TotalCount: images.length, ImageSet: paginate(images, params).map(imageView) };
  },
};
